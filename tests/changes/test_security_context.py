"""Each context-reading rule and precision fix on lines from real commits: one that hits, one that does not.

The lines come from the security-detector corpus (``benchmarks/security_corpus``, dev split):
each case names its repository, commit and licence. Lines are quoted as test data, a line or
a few at a time; the hunk around them is cut down to what the rule reads.
"""

from __future__ import annotations

import pytest

from pr_router.changes import analyze, classify
from pr_router.changes.model import FileKind

from .rule_cases import assert_rule_case, rule_cases
from .rule_cases import hits as _hits
from .rule_cases import one_hunk_diff as _diff

# (rule, positive diff, negative diff, attribution of both)
CASES = [
    (
        "access-control",
        _diff("cps/shelf.py", ['        is_public = 1 if to_save.get("is_public") == "on" else 0']),
        # the same words in a template decide what a page shows: templates get their sinks only
        _diff("cps/templates/detail.html", ["              {% if shelf.is_public %}"]),
        "janeczku/calibre-web 0c0313f375be and dc46ad16ae71 (GPL-3.0)",
    ),
    (
        "injection-guard",
        _diff("bottle.py", ["    if '\\n' in key or '\\r' in key or '\\0' in key:"]),
        _diff("bottle.py", ["    return '\\n'.join(lines)"]),
        "bottlepy/bottle 6d7e13da0f99 (MIT); the negative is a plain join",
    ),
    (
        "resource-limit",
        _diff(
            "synapse/http/client.py",
            ["                read_body_with_max_size(response, output_stream, max_size)"],
        ),
        _diff(
            "helpdesk/migrations/0030_kbitem_order.py",
            [
                "            field=models.PositiveIntegerField(blank=True, null=True, max_length=255),"
            ],
        ),
        "matrix-org/synapse ff5c4da1289c (Apache-2.0); django-helpdesk/django-helpdesk "
        "d0aafd61359d (BSD-3-Clause, a model field length is no resource limit)",
    ),
    (
        "regex",
        _diff(
            "helpdesk/models.py",
            ["    pattern = fr'([\\[\\s\\S\\]]*?)\\(([\\s\\S]*?):([\\s\\S]*?)\\)'"],
        ),
        _diff("cps/config_sql.py", ["    config_title_regex = r'^(A|The|An|Der|Die|Das)\\s+'"]),
        "django-helpdesk/django-helpdesk a22eb0673fe0 (BSD-3-Clause); janeczku/calibre-web "
        "5d8d7968079f (GPL-3.0: an alternation, nothing repeated)",
    ),
    (
        "escaping",
        _diff(
            "omeroweb/webgateway/static/webgateway/js/omero_image.js",
            ['        $("#bulk-annotations").html(tmp);'],
        ),
        # a <script> tag in a page or a Vue single-file component is no sink
        _diff("helpdesk/templates/helpdesk/edit_ticket.html", ["<script>"]),
        "ome/omero-web 0168067accde (GPL-2.0-or-later); django-helpdesk/django-helpdesk "
        "d1e57d70b020 (BSD-3-Clause)",
    ),
    (
        "file-paths",
        _diff(
            "synapse/rest/media/v1/filepath.py",
            [
                "            normalized_path = os.path.normpath(os.path.join(self.real_base_path, path))"
            ],
        ),
        # a module import by relative path is not file-system path building
        _diff("app/static/js/list.js", ["import { escapeHtml } from '../utils.js';"]),
        "matrix-org/synapse 91f2bd0907f1 (Apache-2.0); the negative is an ES module import",
    ),
    (
        "http-headers",
        _diff(
            "aiohttp/client_reqrep.py",
            ['        status_line = "{0} {1} HTTP/{v.major}.{v.minor}".format('],
        ),
        _diff("aiohttp/client_reqrep.py", ["        self.version = version"]),
        "aio-libs/aiohttp 1e86b777e61c (Apache-2.0)",
    ),
    (
        "url-redirect",
        _diff(
            "src/urllib3/poolmanager.py",
            ["                if header.lower() in retries.remove_headers_on_redirect:"],
        ),
        _diff(
            "src/urllib3/poolmanager.py",
            ["            headers = list(six.iterkeys(kw['headers']))"],
        ),
        "urllib3/urllib3 adb358f8e068 (MIT)",
    ),
    (
        "deserialization",
        _diff("app/cache.py", ["    return pickle.loads(blob)"]),
        # a module named marshal (and a DRF serializer) is no unpickling
        _diff(
            "omeroweb/webclient/views.py",
            ["    rv = marshal.chgrpMarshal(conn, rsp)"],
        ),
        "ome/omero-web 57d365ba29d2 (GPL-2.0-or-later) for the negative",
    ),
    (
        "http-headers",
        _diff(
            "jupyter_server/base/handlers.py",
            ['        headers["Content-Security-Policy"] = self.content_security_policy'],
        ),
        _diff("bottle/docs/tutorial.py", ["      response.headers['Content-Language'] = 'en'"]),
        "jupyter-server/jupyter_server 0308dc78 (BSD-3-Clause, a security header); "
        "bottlepy/bottle 17ebead6e2ad (MIT, an ordinary one)",
    ),
    (
        "shell",
        _diff(
            "synapse/config/_base.py",
            ["        env = jinja2.Environment(loader=loader, autoescape=autoescape)"],
        ),
        # a Matrix user id parsed from a string is no template
        _diff(
            "synapse/handlers/e2e_keys.py",
            ["        if not self.hs.is_mine(UserID.from_string(user_id)):"],
        ),
        "matrix-org/synapse e54746bdf7d5 and daec55e1fe12 (Apache-2.0)",
    ),
    (
        "escaping",
        _diff(
            "omeroweb/webclient/static/webclient/javascript/ome.chgrp.js",
            [
                '            var headerTxt = "<p>Move data owned by " + ownernames.join(", ") + ".</p>" +'
            ],
        ),
        _diff("bottle.py", ['            return "<p>Login failed</p>"']),
        "ome/omero-web 0168067accde (GPL-2.0-or-later, HTML joined to a value); bottlepy/bottle "
        "17ebead6e2ad (MIT, the constant part of such a line)",
    ),
    (
        "access-control",
        _diff(
            "cps/shelf.py",
            [
                '        if not current_user.role_edit_shelfs() and to_save.get("is_public") == "on":'
            ],
        ),
        _diff(
            "cps/templates/detail.html",
            ["              {% if not shelf.is_public or g.user.role_edit_shelfs() %}"],
        ),
        "janeczku/calibre-web 0c0313f375be and dc46ad16ae71 (GPL-3.0): a role check in code, "
        "and the same words deciding what a page shows",
    ),
    (
        "guard",
        _diff(
            "helpdesk/lib.py",
            ["            att.full_clean()"],
            context=["            att = FollowUpAttachment(", "            )"],
            section="def process_attachments(followup, attached_files):",
        ),
        _diff(
            "helpdesk/lib.py",
            ["            att.full_clean()"],
            context=["            att = FollowUpAttachment(", "            )"],
            section="def apply_text(followup, text):",
        ),
        "django-helpdesk/django-helpdesk 04483bdac3b5 (BSD-3-Clause); the negative moves the "
        "same line into a function about nothing security-relevant",
    ),
    (
        "security-context",
        _diff(
            "jupyter_server/base/handlers.py",
            ["        self.check_xsrf_cookie()"],
            context=["    @web.authenticated", "    def get(self, path):"],
            section="class FilesRedirectHandler(JupyterHandler):",
        ),
        # @admin.register is Django's admin registry, not an access decorator
        _diff(
            "helpdesk/admin.py",
            ["    list_display = ('title', 'category', 'order')"],
            context=["@admin.register(KBItem)", "class KBItemAdmin(admin.ModelAdmin):"],
        ),
        "jupyter-server/jupyter_server 87a492727281 (BSD-3-Clause); django-helpdesk/"
        "django-helpdesk d0aafd61359d (BSD-3-Clause)",
    ),
    (
        "guard",
        _diff(
            "src/Products/PageTemplates/Expressions.py",
            ["            raise NotFound(name)"],
            section="def boboAwareZopeTraverse(object, path_items, econtext):",
        ),
        # an accessor reads data: "access" in HistoryAccessor is no access control
        _diff(
            "IPython/core/history.py",
            ["        if latest:"],
            section="class HistoryAccessor(HistoryAccessorBase):",
        ),
        "zopefoundation/Zope 1f8456bf1f90 (ZPL-2.1): a guard in a traversal function; "
        "ipython/ipython 75fd024c98b4 (BSD-3-Clause)",
    ),
]


@rule_cases(CASES)
def test_rule_hits_the_real_line_and_not_its_counterpart(
    rule: str, positive: bytes, negative: bytes, source: str
) -> None:
    assert_rule_case(rule, positive, negative, source)


def test_every_hit_names_file_line_and_rule() -> None:
    data = CASES[0][1]
    (hit,) = [hit for hit in _hits(data) if hit.category == "access-control"]
    assert hit.reason.startswith("cps/shelf.py:10: checks who may see or change an object")
    assert hit.line == 10


def test_a_path_alone_is_context_not_sensitivity() -> None:
    # jupyter-server/jupyter_server 4829005ee466 (BSD-3-Clause): a typo fix in kernel sessions
    data = _diff(
        "jupyter_server/services/sessions/sessionmanager.py",
        ["        # Kernel model is the same as the session's kernel model"],
    )
    signals = analyze(data).signals
    assert not signals.security_sensitive
    assert signals.sensitive_reasons == ()
    assert signals.risk == "medium"
    assert [(hit.category, hit.context) for hit in signals.sensitive_hits] == [
        ("session-cookie", True)
    ]


def test_a_migration_that_adds_a_column_is_context_only() -> None:
    # django-helpdesk/django-helpdesk d0aafd61359d (BSD-3-Clause)
    data = _diff(
        "helpdesk/migrations/0030_kbitem_order.py",
        [
            "        migrations.AddField(",
            "            model_name='kbitem',",
            "            name='order',",
            "            field=models.PositiveIntegerField(blank=True, null=True),",
            "        ),",
        ],
    )
    signals = analyze(data).signals
    assert not signals.security_sensitive
    assert signals.risk == "medium"


def test_sql_in_a_schema_delta_is_not_a_query_built_from_input() -> None:
    # matrix-org/synapse 924276f4821c (Apache-2.0)
    path = "synapse/storage/schema/main/delta/63/04add_presence_stream_not_offline_index.sql"
    data = _diff(
        path, ["INSERT INTO background_updates (ordering, update_name, progress_json) VALUES"]
    )
    assert classify(path) is FileKind.MIGRATION
    assert not analyze(data).signals.security_sensitive


@pytest.mark.parametrize(
    ("lines", "sensitive"),
    [
        # django-helpdesk/django-helpdesk a7ae0a178ebd (BSD-3-Clause): a version range moves
        (["-django-bootstrap-form>=3.1,<4", "+django-bootstrap-form>=3.3,<4"], False),
        # jupyter-server/jupyter_server 6e0e49e720ee (BSD-3-Clause): a new dependency
        (["+nbformat>=5.2.0"], True),
        # django-helpdesk/django-helpdesk 34eb793f68db (BSD-3-Clause): code from a git URL
        (["-pinax-teams", "+pinax-teams @ git+https://github.com/pinax/pinax-teams.git"], True),
    ],
)
def test_dependency_bumps_are_context_new_code_is_sensitive(
    lines: list[str], sensitive: bool
) -> None:
    removed = sum(line.startswith("-") for line in lines)
    body = "".join(f"{line}\n" for line in lines)
    data = (
        f"diff --git a/requirements.txt b/requirements.txt\n--- a/requirements.txt\n"
        f"+++ b/requirements.txt\n@@ -1,{removed} +1,{len(lines) - removed} @@\n{body}"
    ).encode()
    signals = analyze(data).signals
    assert signals.security_sensitive is sensitive
    assert signals.risk == "medium"


@pytest.mark.parametrize(
    ("path", "sample", "kind"),
    [
        ("changes/9028.documentation", "", FileKind.DOCS),  # towncrier fragment (nautobot)
        ("CHANGES/7835.bugfix", "", FileKind.DOCS),  # aio-libs/aiohttp 1e86b777e61c
        ("logs/server.log", "", FileKind.ASSET),  # a log file is output, not code
        # pallets/werkzeug c86ce7172273 (BSD-3-Clause): minified jQuery, one long line
        ("werkzeug/debug/shared/jquery.js", "!function(e,t){" + "x" * 1200, FileKind.GENERATED),
    ],
)
def test_files_that_are_not_code(path: str, sample: str, kind: FileKind) -> None:
    assert classify(path, content_sample=sample) is kind
