"""DB702's help names the foreign-key column of each finding (it once named `author_id` always)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, ForeignKeyConstraint, Integer, MetaData, Table

from dbctl.checks import model_findings


def test_help_names_the_column(tmp_path) -> None:
    models = tmp_path / "models.py"
    models.write_text("# models\n", encoding="utf-8")
    metadata = MetaData()
    Table("users", metadata, Column("id", Integer, primary_key=True))
    Table("orgs", metadata, Column("id", Integer), Column("region", Integer), Column("x", Integer, primary_key=True))
    Table(
        "posts",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("editor_id", Integer, ForeignKey("users.id")),
        Column("org_id", Integer),
        Column("org_region", Integer),
        ForeignKeyConstraint(["org_id", "org_region"], ["orgs.id", "orgs.region"]),
    )
    helps = sorted(f.help for f in model_findings(metadata, [str(models)], ["DB702"]))
    assert helps == [
        'add an index that starts with the foreign-key column(s): Index(None, "editor_id")',
        'add an index that starts with the foreign-key column(s): Index(None, "org_id", "org_region")',
    ]
