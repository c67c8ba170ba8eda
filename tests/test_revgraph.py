"""dbctl.revgraph: the one revision graph (pure) and the header reader that never runs a file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dbctl.lint.engine import RevisionInfo
from dbctl.lint.graph import LintGraph, revisions_after
from dbctl.revgraph import Node, RevisionGraph, read_revision_headers

REPO = Path(__file__).resolve().parent.parent


def graph(*nodes: Node) -> RevisionGraph[Node]:
    return RevisionGraph(nodes)


def chain(*ids: str) -> list[Node]:
    return [Node(rev, (ids[i - 1],) if i else ()) for i, rev in enumerate(ids)]


# -- a linear history ---------------------------------------------------------------------------


def test_linear_history_has_one_head_one_base_and_a_fast_path() -> None:
    g = RevisionGraph(chain("a", "b", "c"))
    assert g.heads() == ["c"] and g.bases() == ["a"]
    assert [n.revision for n in g.linear_chain() or []] == ["a", "b", "c"]
    assert g.ancestors(["b"]) == {"a", "b"}
    assert g.descendants("a") == {"b", "c"}
    assert g.between(["c"], ["a"]) == ["b", "c"]
    assert g.between(["c"], []) == ["a", "b", "c"]
    assert g.missing() == [] and g.cycles() == [] and g.duplicates == []


def test_the_fast_path_does_not_depend_on_the_order_nodes_are_read_in() -> None:
    nodes = chain("a", "b", "c")
    g = RevisionGraph([nodes[2], nodes[0], nodes[1]])
    assert [n.revision for n in g.linear_chain() or []] == ["a", "b", "c"]
    assert g.topological() == ["a", "b", "c"]


def test_unknown_ids_are_skipped_not_raised() -> None:
    g = RevisionGraph(chain("a", "b"))
    assert g.ancestors(["nope"]) == set()
    assert g.descendants("nope") == set()
    assert g.between(["b", "nope"], ["nope"]) == ["a", "b"]


def test_a_unique_prefix_resolves_as_alembic_accepts_it() -> None:
    g = RevisionGraph(chain("ae1027a6acf", "ae3", "b7"))
    assert g.resolve("ae10") == "ae1027a6acf"
    assert g.resolve("b7") == "b7"
    assert g.resolve("ae") is None  # ambiguous
    assert g.resolve("zz") is None


# -- branches and merges ------------------------------------------------------------------------


def test_a_branch_has_two_heads_and_no_fast_path() -> None:
    g = graph(Node("a"), Node("b", ("a",)), Node("c", ("a",)))
    assert g.heads() == ["b", "c"]
    assert g.linear_chain() is None
    assert g.descendants("a") == {"b", "c"}
    assert g.between(["b", "c"], ["b"]) == ["c"]


def test_a_merge_joins_the_heads_and_has_both_branches_below_it() -> None:
    g = graph(Node("a"), Node("b", ("a",)), Node("c", ("a",)), Node("m", ("b", "c")))
    assert g.heads() == ["m"] and g.bases() == ["a"]
    assert g.ancestors(["m"]) == {"a", "b", "c", "m"}
    assert g.between(["m"], ["b"]) == ["c", "m"]  # in the order the nodes were given
    assert g.linear_chain() is None
    assert g.children("a") == ["b", "c"]


def test_between_keeps_the_given_order_for_what_a_downgrade_reverts() -> None:
    g = graph(Node("a"), Node("c", ("a",)), Node("b", ("a",)), Node("m", ("b", "c")))
    assert g.between(["m"], ["a"]) == ["c", "b", "m"]
    assert g.ordered({"m", "a"}) == ["a", "m"]


def test_two_bases() -> None:
    g = graph(Node("a"), Node("x"), Node("b", ("a",)))
    assert g.bases() == ["a", "x"] and g.heads() == ["x", "b"]
    assert g.linear_chain() is None


# -- depends_on ---------------------------------------------------------------------------------


def test_depends_on_counts_as_applied_below_but_is_not_a_parent() -> None:
    g = graph(Node("a"), Node("x"), Node("b", ("a",), depends_on=("x",)))
    assert g.heads() == ["x", "b"]  # x is depended on, yet still a head (as in Alembic)
    assert g.ancestors(["b"]) == {"a", "b", "x"}
    assert g.ancestors(["b"], dependencies=False) == {"a", "b"}
    assert g.descendants("x") == set()
    assert g.topological() is not None and g.topological().index("x") < g.topological().index("b")
    assert g.linear_chain() is None


def test_a_dependency_may_name_a_branch_label() -> None:
    g = graph(Node("a", branch_labels=("billing",)), Node("b", depends_on=("billing", "ghost")))
    missing = g.missing()
    assert [(m.node.revision, m.name, m.kind) for m in missing] == [("b", "ghost", "depends_on")]


# -- broken graphs are reported, not raised -----------------------------------------------------


def test_a_parent_that_does_not_exist_is_reported() -> None:
    g = graph(Node("a"), Node("b", ("gone",)))
    assert [(m.node.revision, m.name, m.kind) for m in g.missing()] == [("b", "gone", "down_revision")]
    assert g.linear_chain() is None
    assert g.bases() == ["a"]  # b has a down_revision, even if it names nothing


def test_a_duplicate_id_keeps_the_first_and_lists_the_second() -> None:
    first, second = Node("a"), Node("a", ("z",))
    g = graph(first, second, Node("b", ("a",)))
    assert g.nodes["a"] is first
    assert g.duplicates == [(first, second)]
    assert len(g) == 2 and "a" in g
    assert g.linear_chain() is None


def test_cycles_are_found_and_make_a_topological_order_impossible() -> None:
    g = graph(Node("a", ("c",)), Node("b", ("a",)), Node("c", ("b",)), Node("x"), Node("y", ("y",)))
    assert sorted(sorted(c) for c in g.cycles()) == [["a", "b", "c"], ["y"]]
    assert g.topological() is None
    assert g.heads() == ["x"]  # every other revision is someone's parent
    assert g.ancestors(["a"]) == {"a", "b", "c"}  # walks terminate on a cycle
    assert g.descendants("a") == {"b", "c"}


def test_a_long_chain_needs_no_recursion() -> None:
    ids = [f"r{i}" for i in range(20_000)]
    g = RevisionGraph(chain(*ids))
    assert g.cycles() == []
    assert len(g.ancestors([ids[-1]])) == 20_000
    assert len(g.linear_chain() or []) == 20_000


# -- the linter's graph is this graph over its own records ---------------------------------------


def test_the_lint_graph_is_the_revision_graph_over_the_linters_records() -> None:
    infos = [
        RevisionInfo("7.py", revision="b"),
        RevisionInfo("1.py", revision="a"),
        RevisionInfo("2.py", revision="b", down_revisions=("a",)),
        RevisionInfo("3.py", revision="c", down_revisions=("a",), depends_on=("nothing",)),
        RevisionInfo("4.py", revision="d", down_revisions=("e",)),
        RevisionInfo("5.py", revision="e", down_revisions=("d",)),
        RevisionInfo("6.py", revision="f", down_revisions=("ghost",)),
        RevisionInfo("8.py", error="syntax error"),
    ]
    g = LintGraph(infos)
    assert isinstance(g, RevisionGraph)
    assert g.heads() == ["b", "c", "f"]  # sorted, whatever the file order
    assert [(first.file, later.file) for first, later in g.duplicates] == [("2.py", "7.py")]  # files by name
    assert sorted((m.node.revision, m.name, m.kind) for m in g.missing()) == [
        ("c", "nothing", "depends_on"),
        ("f", "ghost", "down_revision"),
    ]
    assert sorted(map(sorted, g.cycles())) == [["d", "e"]]
    assert len(g.infos) == 8  # unusable files stay visible to DB505
    assert revisions_after(infos, "a") == {"b", "c"} == g.descendants("a")
    assert revisions_after(infos, "nope") is None


# -- the header reader --------------------------------------------------------------------------


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def plain(rev: str, down: str | None, doc: str = "a step") -> str:
    return (
        f'"""{doc}\n\nRevision ID: {rev}\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
        f"revision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
    )


def test_plain_files_are_read_in_file_order_and_form_the_fast_path(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    write(versions, "2_b.py", plain("b", "a"))
    write(versions, "1_a.py", plain("a", None, doc="create users"))
    write(versions, "__init__.py", "")
    headers = read_revision_headers((versions, tmp_path / "missing"))
    assert headers is not None
    assert [(h.revision, h.down_revision, h.down_revisions) for h in headers] == [("a", None, ()), ("b", "a", ("a",))]
    assert headers[0].longdoc.startswith("create users") and headers[0].path.endswith("1_a.py")
    assert [h.revision for h in RevisionGraph(headers).linear_chain() or []] == ["a", "b"]


def test_anything_that_needs_alembic_is_left_to_alembic(tmp_path: Path) -> None:
    cases = {
        "labels": plain("a", None).replace("branch_labels = None", 'branch_labels = ("x",)'),
        "depends": plain("a", None).replace("depends_on = None", 'depends_on = "z"'),
        "computed": plain("a", None).replace("revision = 'a'", 'revision = "a" + "b"'),
        "a merge": plain("a", None).replace("down_revision = None", 'down_revision = ("x", "y")'),
        "syntax": plain("a", None) + "\ndef broken(:\n",
    }
    for name, text in cases.items():
        folder = tmp_path / name.replace(" ", "_")
        write(folder, "1_a.py", text)
        assert read_revision_headers((folder,)) is None, name


def test_the_reader_never_executes_a_file(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    versions = tmp_path / "versions"
    write(versions, "1_a.py", plain("a", None) + f"\nopen({str(marker)!r}, 'w').close()\n")
    write(versions, "2_b.py", plain("b", "a").replace("    pass", f"    open({str(marker)!r}, 'w').close()"))
    assert read_revision_headers((versions,)) is None  # a top-level call: only running it would tell
    assert not marker.exists()
    (versions / "1_a.py").write_text(plain("a", None))
    assert [h.revision for h in read_revision_headers((versions,)) or []] == ["a", "b"]
    assert not marker.exists()  # function bodies are never run either


def test_revgraph_imports_neither_alembic_nor_sqlalchemy() -> None:
    code = (
        "import sys, dbctl.revgraph\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'alembic', 'sqlalchemy', 'dbctl'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['dbctl']"
