"""What makes migrations safe to run from deploy pipelines: the lock's waiting policy
(:mod:`.locking`; the lock itself is the bridge's) and running many targets (:mod:`.fanout`)."""
