"""``gradspec grade``: grading a class of homework submissions with the conformance suite.

One job per module:

- ``_submissions``: which submissions, where each one's adapter is, shards, the static
  import scan;
- ``_rubric``: the rubric (TOML), validated against the clause registry;
- ``_isolated`` and ``_probe``: each submission in child processes of its own (process
  group, wall-clock limit, output to files);
- ``_scoring``: from the JSON report to points and findings;
- ``_feedback``, ``_gradescope``, ``_class``: feedback.md, results.json, the class outputs
  and the merge of shards;
- ``_bundle``: the Gradescope autograder bundle;
- ``_grader``: one submission, and a class over a pool of workers;
- ``_cli``: the ``gradspec grade`` subcommand.

The user guide is docs/grading.md.
"""

# Nothing is imported here: ``gradspec.cli`` imports ``gradspec._grade._cli`` for every
# command, and the grader's modules load only when ``gradspec grade`` runs.
__all__: list[str] = []
