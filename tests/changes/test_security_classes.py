"""Rules added by class (template sinks, access control in domain words, validation code).

Each rule on lines from real commits of the security-detector corpus
(``benchmarks/security_corpus``, dev split; attribution per case): one line it hits, and a
line from the same code that it must not hit.
"""

from __future__ import annotations

from .rule_cases import assert_rule_case, rule_cases
from .rule_cases import one_hunk_diff as _diff

# (rule, positive diff, negative diff, attribution of both)
CASES = [
    (
        "escaping",
        _diff("frontend/src/query/Query.svelte", ["          {@html error}"]),
        # the fix: Svelte escapes a plain interpolation
        _diff("frontend/src/query/Query.svelte", ["          {error}"]),
        "beancount/fava dccfb6a2f456 (MIT): Svelte's raw-HTML tag, and the escaped form the fix "
        "put in its place",
    ),
    (
        "access-control",
        _diff(
            "src/octoprint/plugins/pluginmanager/__init__.py",
            ['                "roles": ["manage"],'],
            section="class PluginManagerPlugin(",
        ),
        # a role read from an object is no list of who may do what
        _diff(
            "flask_appbuilder/tests/test_api.py", ["                roles=_tmp_user.roles[0].id,"]
        ),
        "OctoPrint/OctoPrint ef95ef1c101b (AGPL-3.0: the roles that may call a plugin's API); "
        "dpgaspar/Flask-AppBuilder ae25ad4c87a9 (BSD-3-Clause)",
    ),
    (
        "access-control",
        _diff(
            "src/octoprint/server/views.py",
            ["        response = require_login_with(permissions=[Permissions.ADMIN])"],
        ),
        # the permissions handed on from the caller: the list is decided elsewhere
        _diff(
            "src/octoprint/server/util/flask.py",
            ["    response = require_login_with(permissions=permissions, user_id=user_id)"],
        ),
        "OctoPrint/OctoPrint 1729d167b4ae (AGPL-3.0)",
    ),
    (
        "input-validation",
        _diff(
            "src/octoprint/static/js/app/helpers.js",
            ["var validateWebcamUrl = function (streamUrl) {"],
        ),
        _diff(
            "src/octoprint/static/js/app/helpers.js",
            ["var determineWebcamStreamType = function (streamUrl) {"],
        ),
        "OctoPrint/OctoPrint 6d259d7e6f5b (AGPL-3.0): the webcam URL check that fixed an XSS, "
        "and the helper it replaced",
    ),
    (
        "input-validation",
        _diff(
            "synapse/rest/media/v1/filepath.py",
            ["def _validate_path_component(name: str) -> str:"],
        ),
        # calling a validator is the caller's business; defining one is the security code
        _diff(
            "jupyter_server/services/contents/manager.py",
            ["        self.validate_notebook_model(model)"],
        ),
        "matrix-org/synapse 91f2bd0907f1 (Apache-2.0); jupyter-server/jupyter_server "
        "6e0e49e720ee (BSD-3-Clause)",
    ),
]


@rule_cases(CASES)
def test_rule_hits_the_real_line_and_not_its_counterpart(
    rule: str, positive: bytes, negative: bytes, source: str
) -> None:
    assert_rule_case(rule, positive, negative, source)
