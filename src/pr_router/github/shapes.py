"""JSON shapes of GitHub REST objects, with the fields GitHub's OpenAPI description requires.

The emulator answers with these; tests check them against the OpenAPI description. Every
function takes ``api`` (the API root the client used, e.g. ``http://127.0.0.1:8080/github``)
and ``web`` (the root of html_url links) so links point back at the server that was asked.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

__all__ = [
    "TIMESTAMP",
    "authenticated_user",
    "collaborator_permission",
    "commit",
    "comparison",
    "content_file",
    "issue_comment",
    "job",
    "node_id",
    "pull_request",
    "reaction",
    "repository",
    "review",
    "review_comment",
    "user",
    "workflow_run",
]

# A fixed clock keeps emulator answers reproducible.
TIMESTAMP = "2026-01-05T12:00:00Z"
JSON = dict[str, Any]

_USER_LINKS = {
    "followers_url": "/followers",
    "following_url": "/following{/other_user}",
    "gists_url": "/gists{/gist_id}",
    "starred_url": "/starred{/owner}{/repo}",
    "subscriptions_url": "/subscriptions",
    "organizations_url": "/orgs",
    "repos_url": "/repos",
    "events_url": "/events{/privacy}",
    "received_events_url": "/received_events",
}
_REPO_LINKS = (
    "archive:/{archive_format}{/ref} assignees:/assignees{/user} blobs:/git/blobs{/sha} "
    "branches:/branches{/branch} collaborators:/collaborators{/collaborator} "
    "comments:/comments{/number} commits:/commits{/sha} compare:/compare/{base}...{head} "
    "contents:/contents/{+path} contributors:/contributors deployments:/deployments "
    "downloads:/downloads events:/events forks:/forks git_commits:/git/commits{/sha} "
    "git_refs:/git/refs{/sha} git_tags:/git/tags{/sha} hooks:/hooks "
    "issue_comment:/issues/comments{/number} issue_events:/issues/events{/number} "
    "issues:/issues{/number} keys:/keys{/key_id} labels:/labels{/name} languages:/languages "
    "merges:/merges milestones:/milestones{/number} "
    "notifications:/notifications{?since,all,participating} pulls:/pulls{/number} "
    "releases:/releases{/id} stargazers:/stargazers statuses:/statuses/{sha} "
    "subscribers:/subscribers subscription:/subscription tags:/tags teams:/teams "
    "trees:/git/trees{/sha}"
)


def _id_of(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def node_id(kind: str, ident: int | str) -> str:
    """A GraphQL-style node id (opaque, stable)."""
    return base64.b64encode(f"{kind}:{ident}".encode()).decode().rstrip("=")


def user(login: str, api: str, web: str) -> JSON:
    """A simple-user; logins ending in ``[bot]`` are Bots."""
    url = f"{api}/users/{login}"
    uid = _id_of(login)
    out: JSON = {
        "login": login,
        "id": uid,
        "node_id": node_id("User", uid),
        "avatar_url": f"{web}/avatars/{login}",
        "gravatar_id": "",
        "url": url,
        "html_url": f"{web}/{login}",
        "type": "Bot" if login.endswith("[bot]") else "User",
        "site_admin": False,
        "user_view_type": "public",
    }
    out.update({k: url + suffix for k, suffix in _USER_LINKS.items()})
    return out


# role_name -> the legacy ``permission`` GitHub reports beside it (maintain shows as write).
_LEGACY_PERMISSION = {"admin": "admin", "maintain": "write", "write": "write", "triage": "read"}
_PUSH_ROLES = ("admin", "maintain", "write")


def collaborator_permission(login: str, role: str, api: str, web: str) -> JSON:
    """A repository-collaborator-permission: ``role`` is the role name (``none`` for none)."""
    legacy = _LEGACY_PERMISSION.get(role, role)
    flags = {
        "pull": role != "none",
        "triage": role in ("triage", *_PUSH_ROLES),
        "push": role in _PUSH_ROLES,
        "maintain": role in ("admin", "maintain"),
        "admin": role == "admin",
    }
    collaborator = {**user(login, api, web), "permissions": flags, "role_name": role}
    return {"permission": legacy, "role_name": role, "user": collaborator}


def authenticated_user(login: str, api: str, web: str) -> JSON:
    """A public-user, as GET /user answers for a token with the public profile view."""
    out = user(login, api, web)
    out.update(
        name=login,
        company=None,
        blog="",
        location=None,
        email=None,
        hireable=None,
        bio=None,
        public_repos=1,
        public_gists=0,
        followers=0,
        following=0,
        created_at=TIMESTAMP,
        updated_at=TIMESTAMP,
    )
    return out


def repository(full_name: str, api: str, web: str, *, default_branch: str = "main") -> JSON:
    """A repository (the schema pulls use for head/base repos, with every required field)."""
    owner, name = full_name.split("/", 1)
    url = f"{api}/repos/{full_name}"
    rid = _id_of(full_name)
    out: JSON = {
        "id": rid,
        "node_id": node_id("Repository", rid),
        "name": name,
        "full_name": full_name,
        "owner": user(owner, api, web),
        "private": False,
        "html_url": f"{web}/{full_name}",
        "description": None,
        "fork": False,
        "url": url,
        "git_url": f"git://{web.rsplit('://', maxsplit=1)[-1]}/{full_name}.git",
        "ssh_url": f"git@{web.rsplit('://', maxsplit=1)[-1]}:{full_name}.git",
        "clone_url": f"{web}/{full_name}.git",
        "svn_url": f"{web}/{full_name}",
        "mirror_url": None,
        "homepage": None,
        "language": None,
        "license": None,
        "size": 1,
        "default_branch": default_branch,
        "forks": 0,
        "forks_count": 0,
        "network_count": 0,
        "subscribers_count": 0,
        "stargazers_count": 0,
        "watchers": 0,
        "watchers_count": 0,
        "open_issues": 0,
        "open_issues_count": 0,
        "has_issues": True,
        "has_projects": False,
        "has_wiki": False,
        "has_pages": False,
        "has_downloads": False,
        "has_discussions": False,
        "archived": False,
        "disabled": False,
        "visibility": "public",
        "pushed_at": TIMESTAMP,
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
    }
    for item in _REPO_LINKS.split():
        key, suffix = item.split(":", 1)
        out[f"{key}_url"] = url + suffix
    return out


def _href(url: str) -> JSON:
    return {"href": url}


def pull_request(pr: Any, api: str, web: str, *, full: bool = True) -> JSON:
    """A pull-request (``full``) or pull-request-simple (list items) for an emulator PR."""
    repo_url = f"{api}/repos/{pr.repo}"
    url = f"{repo_url}/pulls/{pr.number}"
    html = f"{web}/{pr.repo}/pull/{pr.number}"
    issue_url = f"{repo_url}/issues/{pr.number}"
    pid = _id_of(f"{pr.repo}#{pr.number}")
    out: JSON = {
        "url": url,
        "id": pid,
        "node_id": node_id("PullRequest", pid),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": issue_url,
        "commits_url": f"{url}/commits",
        "review_comments_url": f"{url}/comments",
        "review_comment_url": f"{repo_url}/pulls/comments{{/number}}",
        "comments_url": f"{issue_url}/comments",
        "statuses_url": f"{repo_url}/statuses/{pr.head_sha}",
        "number": pr.number,
        "state": pr.state,
        "locked": False,
        "title": pr.title,
        "user": user(pr.author, api, web),
        "body": pr.body,
        "labels": [_label(name, pr.repo, api) for name in pr.labels],
        "milestone": None,
        "active_lock_reason": None,
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "closed_at": None if pr.state == "open" else TIMESTAMP,
        "merged_at": None,
        "merge_commit_sha": None,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": _part(pr.head_full_name, pr.head_ref, pr.head_sha, api, web),
        "base": _part(pr.repo, pr.base_ref, pr.base_sha, api, web),
        "_links": {
            "self": _href(url),
            "html": _href(html),
            "issue": _href(issue_url),
            "comments": _href(f"{issue_url}/comments"),
            "review_comments": _href(f"{url}/comments"),
            "review_comment": _href(f"{repo_url}/pulls/comments{{/number}}"),
            "commits": _href(f"{url}/commits"),
            "statuses": _href(f"{repo_url}/statuses/{pr.head_sha}"),
        },
        "author_association": "CONTRIBUTOR",
        "auto_merge": None,
        "draft": pr.draft,
    }
    if full:
        out.update(
            merged=False,
            mergeable=None,
            rebaseable=None,
            mergeable_state="unknown",
            merged_by=None,
            comments=0,
            review_comments=0,
            maintainer_can_modify=False,
            commits=len(pr.commits),
            additions=0,
            deletions=0,
            changed_files=0,
        )
    return out


def _label(name: str, repo: str, api: str) -> JSON:
    lid = _id_of(f"{repo}:{name}")
    return {
        "id": lid,
        "node_id": node_id("Label", lid),
        "url": f"{api}/repos/{repo}/labels/{name}",
        "name": name,
        "description": "",
        "color": "ededed",
        "default": False,
    }


def _part(repo: str | None, ref: str, sha: str, api: str, web: str) -> JSON:
    owner = (repo or "ghost/deleted").split("/", 1)[0]
    return {
        "label": f"{owner}:{ref}",
        "ref": ref,
        "sha": sha,
        "user": user(owner, api, web),
        "repo": repository(repo, api, web) if repo else None,
    }


def issue_comment(c: Any, repo: str, api: str, web: str) -> JSON:
    """An issue-comment."""
    return {
        "id": c.id,
        "node_id": node_id("IssueComment", c.id),
        "url": f"{api}/repos/{repo}/issues/comments/{c.id}",
        "html_url": f"{web}/{repo}/pull/{c.number}#issuecomment-{c.id}",
        "issue_url": f"{api}/repos/{repo}/issues/{c.number}",
        "body": c.body,
        "user": user(c.author, api, web),
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "author_association": "NONE",
    }


def review(r: Any, repo: str, api: str, web: str) -> JSON:
    """A pull-request-review."""
    html = f"{web}/{repo}/pull/{r.number}#pullrequestreview-{r.id}"
    pull_url = f"{api}/repos/{repo}/pulls/{r.number}"
    return {
        "id": r.id,
        "node_id": node_id("PullRequestReview", r.id),
        "user": user(r.author, api, web),
        "body": r.body,
        "state": r.state,
        "html_url": html,
        "pull_request_url": pull_url,
        "_links": {"html": _href(html), "pull_request": _href(pull_url)},
        "submitted_at": TIMESTAMP,
        "commit_id": r.commit_id,
        "author_association": "NONE",
    }


def review_comment(c: Any, repo: str, api: str, web: str) -> JSON:
    """A pull-request-review-comment (``line``/``side`` style, no legacy position)."""
    url = f"{api}/repos/{repo}/pulls/comments/{c.id}"
    html = f"{web}/{repo}/pull/{c.number}#discussion_r{c.id}"
    pull_url = f"{api}/repos/{repo}/pulls/{c.number}"
    out: JSON = {
        "url": url,
        "id": c.id,
        "node_id": node_id("PullRequestReviewComment", c.id),
        "pull_request_review_id": c.review_id,
        "diff_hunk": c.diff_hunk,
        "path": c.path,
        "commit_id": c.commit_id,
        "original_commit_id": c.commit_id,
        "user": user(c.author, api, web),
        "body": c.body,
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "html_url": html,
        "pull_request_url": pull_url,
        "author_association": "NONE",
        "_links": {"self": _href(url), "html": _href(html), "pull_request": _href(pull_url)},
        "start_line": c.start_line,
        "original_start_line": c.start_line,
        "start_side": c.start_side,
        "line": c.line,
        "original_line": c.line,
        "side": c.side,
        "subject_type": "line",
    }
    if getattr(c, "in_reply_to_id", None) is not None:
        out["in_reply_to_id"] = c.in_reply_to_id
    return out


def reaction(rid: int, content: str, login: str, api: str, web: str) -> JSON:
    """A reaction."""
    return {
        "id": rid,
        "node_id": node_id("Reaction", rid),
        "user": user(login, api, web),
        "content": content,
        "created_at": TIMESTAMP,
    }


def content_file(repo: str, path: str, ref: str, data: bytes, *, api: str, web: str) -> JSON:
    """A content-file; base64 wrapped at 60 columns like GitHub's."""
    sha = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # git's blob id, not security
    b64 = base64.b64encode(data).decode()
    url = f"{api}/repos/{repo}/contents/{path}?ref={ref}"
    git = f"{api}/repos/{repo}/git/blobs/{sha}"
    html = f"{web}/{repo}/blob/{ref}/{path}"
    return {
        "type": "file",
        "encoding": "base64",
        "size": len(data),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "content": "\n".join(b64[i : i + 60] for i in range(0, len(b64), 60)) + "\n",
        "sha": sha,
        "url": url,
        "git_url": git,
        "html_url": html,
        "download_url": f"{web}/raw/{repo}/{ref}/{path}",
        "_links": {"self": url, "git": git, "html": html},
    }


def workflow_run(run: Any, repo: str, api: str, web: str) -> JSON:
    """A workflow-run."""
    url = f"{api}/repos/{repo}/actions/runs/{run.id}"
    return {
        "id": run.id,
        "name": run.name,
        "node_id": node_id("WorkflowRun", run.id),
        "head_branch": run.head_branch,
        "head_sha": run.head_sha,
        "path": ".github/workflows/ci.yml",
        "display_title": run.name,
        "run_number": 1,
        "run_attempt": 1,
        "event": "pull_request",
        "status": run.status,
        "conclusion": run.conclusion,
        "workflow_id": 1,
        "url": url,
        "html_url": f"{web}/{repo}/actions/runs/{run.id}",
        "pull_requests": [_minimal_pr(n, repo, api) for n in run.pr_numbers],
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "run_started_at": TIMESTAMP,
        "jobs_url": f"{url}/jobs",
        "logs_url": f"{url}/logs",
        "check_suite_url": f"{api}/repos/{repo}/check-suites/{run.id}",
        "artifacts_url": f"{url}/artifacts",
        "cancel_url": f"{url}/cancel",
        "rerun_url": f"{url}/rerun",
        "workflow_url": f"{api}/repos/{repo}/actions/workflows/1",
        "head_commit": None,
        "repository": repository(repo, api, web),
        "head_repository": repository(repo, api, web),
    }


def _minimal_pr(number: int, repo: str, api: str) -> JSON:
    ref = {
        "id": _id_of(repo),
        "url": f"{api}/repos/{repo}",
        "name": repo.rsplit("/", maxsplit=1)[-1],
    }
    stub = {"ref": "main", "sha": "0" * 40, "repo": ref}
    return {
        "id": _id_of(f"{repo}#{number}"),
        "number": number,
        "url": f"{api}/repos/{repo}/pulls/{number}",
        "head": stub,
        "base": stub,
    }


def job(j: Any, run: Any, repo: str, api: str, web: str) -> JSON:
    """A job of a workflow run, with its steps."""
    url = f"{api}/repos/{repo}/actions/jobs/{j.id}"
    return {
        "id": j.id,
        "run_id": run.id,
        "run_url": f"{api}/repos/{repo}/actions/runs/{run.id}",
        "run_attempt": 1,
        "node_id": node_id("CheckRun", j.id),
        "head_sha": run.head_sha,
        "head_branch": run.head_branch,
        "workflow_name": run.name,
        "url": url,
        "html_url": f"{web}/{repo}/actions/runs/{run.id}/job/{j.id}",
        "status": "completed",
        "conclusion": j.conclusion,
        "created_at": TIMESTAMP,
        "started_at": TIMESTAMP,
        "completed_at": TIMESTAMP,
        "name": j.name,
        "steps": [
            {"name": name, "status": "completed", "conclusion": concl, "number": i}
            for i, (name, concl) in enumerate(j.steps, 1)
        ],
        "check_run_url": f"{api}/repos/{repo}/check-runs/{j.id}",
        "labels": ["ubuntu-latest"],
        "runner_id": 1,
        "runner_name": "emulated",
        "runner_group_id": 1,
        "runner_group_name": "Default",
    }


def comparison(repo: str, base: str, head: str, api: str, web: str) -> JSON:
    """A commit-comparison of ``base...head`` (without ``files``: the caller adds them)."""
    url = f"{api}/repos/{repo}/compare/{base}...{head}"
    html = f"{web}/{repo}/compare/{base}...{head}"
    base_commit = commit(base, "base", "octocat", repo, api=api, web=web)
    return {
        "url": url,
        "html_url": html,
        "permalink_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "base_commit": base_commit,
        "merge_base_commit": base_commit,
        "status": "ahead",
        "ahead_by": 1,
        "behind_by": 0,
        "total_commits": 1,
        "commits": [commit(head, "head", "octocat", repo, api=api, web=web)],
    }


def commit(sha: str, message: str, author: str, repo: str, *, api: str, web: str) -> JSON:
    """A commit as pulls/list-commits lists it."""
    url = f"{api}/repos/{repo}/commits/{sha}"
    who = user(author, api, web)
    person = {"name": author, "email": f"{author}@users.noreply.example", "date": TIMESTAMP}
    return {
        "url": url,
        "sha": sha,
        "node_id": node_id("Commit", sha),
        "html_url": f"{web}/{repo}/commit/{sha}",
        "comments_url": f"{url}/comments",
        "commit": {
            "url": f"{api}/repos/{repo}/git/commits/{sha}",
            "author": person,
            "committer": person,
            "message": message,
            "comment_count": 0,
            "tree": {"sha": sha, "url": f"{api}/repos/{repo}/git/trees/{sha}"},
        },
        "author": who,
        "committer": who,
        "parents": [],
    }
