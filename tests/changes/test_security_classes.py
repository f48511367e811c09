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
    (
        "escaping",
        _diff(
            "src/App/dtml/manage_tabs.dtml",
            [
                "\t\t<ol class=\"breadcrumb <dtml-var \"'zmi-' + title_or_id().replace(' ','')\" "
                'html_quote>">'
            ],
        ),
        # the same DTML variable before the fix, inserted without html_quote
        _diff("src/App/dtml/manage_tabs.dtml", ['\t\t<dtml-var "title_or_id()">']),
        "zopefoundation/Zope aeaf2cdc80df (ZPL-2.1): DTML's html_quote, the XSS fix",
    ),
    (
        "escaping",
        _diff(
            "src/App/www/chooseDatabase.pt",
            ['<h1 tal:replace="structure context/manage_page_header" />'],
        ),
        # TAL escapes what it inserts unless told "structure"
        _diff("src/App/www/chooseDatabase.pt", ['\t\t\ttal:content="name">']),
        "zopefoundation/Zope src/App/www/chooseDatabase.pt (ZPL-2.1): TAL's unescaped insert",
    ),
    (
        "crypto",
        _diff(
            "src/saml2/sigver.py",
            ["            '--enabled-key-data', 'raw-x509-cert',"],
            section="class CryptoBackendXmlSec1(CryptoBackend):",
        ),
        _diff(
            "src/saml2/sigver.py",
            ["            '--id-attr:ID', node_name,"],
            section="class CryptoBackendXmlSec1(CryptoBackend):",
        ),
        "IdentityPython/pysaml2 46578df06952 (Apache-2.0): the key data a signature check "
        "accepts (CVE-2021-21239), and the next argument of the same command",
    ),
    (
        "private-names",
        _diff("src/Products/PageTemplates/Expressions.py", ["        elif name.startswith('_'):"]),
        _diff("src/Products/PageTemplates/Expressions.py", ["        if name == '_':"]),
        "zopefoundation/Zope 1f8456bf1f90 (ZPL-2.1): traversal to private names refused in "
        "TAL expressions; the negative is the line before it",
    ),
    (
        "request-validation",
        _diff(
            "bottle.py",
            ["                return HTTPError(400, 'Invalid path string. Expected UTF-8')"],
        ),
        _diff(
            "bottle.py",
            ["                environ['PATH_INFO'] = path.encode('latin1').decode('utf8')"],
        ),
        "bottlepy/bottle e140e1b54da7 (MIT): the request that is not UTF-8 refused, and the "
        "line that decodes it",
    ),
    (
        "request-validation",
        _diff(
            "synapse/federation/federation_server.py",
            ['        assert_params_in_dict(content, ["room_id"])'],
        ),
        _diff(
            "synapse/federation/federation_server.py",
            ['        room_version = await self.store.get_room_version(content["room_id"])'],
        ),
        "matrix-org/synapse 3ce2f303f15f (Apache-2.0): a parameter required in the request body",
    ),
    (
        "error-detail",
        _diff(
            "flask_appbuilder/models/sqla/interface.py",
            ["            log.exception(LOGMSG_ERR_DBI_ADD_GENERIC.format(str(e)))"],
        ),
        # the fix: a fixed message, the details stay in the server's log
        _diff(
            "flask_appbuilder/models/sqla/interface.py",
            ['            log.exception("Database error")'],
        ),
        "dpgaspar/Flask-AppBuilder ae25ad4c87a9 (BSD-3-Clause): the exception text that went "
        "into the user's message and log (CVE-2023-34110), and the fix",
    ),
    (
        "advisory-id",
        _diff("IPython/__init__.py", ['__patched_cves__ = {"CVE-2022-21699"}']),
        _diff(
            "IPython/__init__.py",
            ["__author__ = '%s <%s>' % (release.author, release.author_email)"],
        ),
        "ipython/ipython 46a51ed69cdf (BSD-3-Clause)",
    ),
]


@rule_cases(CASES)
def test_rule_hits_the_real_line_and_not_its_counterpart(
    rule: str, positive: bytes, negative: bytes, source: str
) -> None:
    assert_rule_case(rule, positive, negative, source)
