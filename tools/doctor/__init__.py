"""`make doctor`'s diagnosis: reads what mk/scripts/doctor-collect.sh stored from the cluster and
explains in plain sentences what is broken. Run as `python3 -m doctor DIR` with tools/ on
PYTHONPATH (Make does it)."""
