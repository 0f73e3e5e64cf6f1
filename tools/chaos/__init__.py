"""The chaos runner and the soak: break the running stack under load, or run it for a long time
under steady use, measure, and prove that no acknowledged write was lost.

Run as `python3 -m chaos SUBCOMMAND` with tools/ on PYTHONPATH (Make does it): `run` (make
chaos-test), `native` (make chaos-native), `report DIR` (make chaos-report), `soak` (make soak).

Modules, one concern each: util (durations, percentiles), config (the knobs), traffic (requests
and the timeline they land on), audit (every acknowledged write, read back at the end), runner
(printed commands), targets (Kubernetes, Compose), native (the stack started on this machine)
with supervisor (its restarts), scenarios (the chaos run), verdicts (pass or fail, from
figures), report (the chaos report), resources (memory, CPU and database connections of a
target), soak and soak_report (the long run and its report), svg (the plots).
"""
