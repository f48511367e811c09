"""The emulated OpenAI Files API: multipart uploads, metadata and content."""

from __future__ import annotations

import email.parser
import email.policy
import threading
from dataclasses import dataclass
from typing import Any

from pr_router.emulator.http import Request, Response, json_response
from pr_router.emulator.provider import InvalidRequest
from pr_router.emulator.runtime import Ctx, Router, Runtime

__all__ = ["OpenAIFiles", "StoredFile", "parse_multipart"]

PURPOSES = (
    "assistants",
    "assistants_output",
    "batch",
    "batch_output",
    "fine-tune",
    "fine-tune-results",
    "vision",
    "user_data",
)
BATCH_FILE_TTL_S = 30 * 24 * 3600
MAX_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class StoredFile:
    """One uploaded (or batch-produced) file."""

    id: str
    filename: str
    purpose: str
    content: bytes
    created_at: int

    def to_json(self) -> dict[str, Any]:
        """The ``FileObject``."""
        expires = (
            self.created_at + BATCH_FILE_TTL_S
            if self.purpose in {"batch", "batch_output"}
            else None
        )
        return {
            "id": self.id,
            "object": "file",
            "bytes": len(self.content),
            "created_at": self.created_at,
            "expires_at": expires,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": "processed",
            "status_details": None,
        }


def parse_multipart(request: Request) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """Split a ``multipart/form-data`` body into text fields and files (name -> (filename, bytes))."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise InvalidRequest("Expected a multipart/form-data body.")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = (filename, data)
        else:
            fields[name] = data.decode("utf-8")
    return fields, files


class OpenAIFiles:
    """Routes and state of ``/v1/files``."""

    def __init__(self, runtime: Runtime, router: Router) -> None:
        self.rt = runtime
        self._files: dict[str, StoredFile] = {}
        self._lock = threading.Lock()
        router.add("POST", r"/v1/files", self._create)
        router.add("GET", r"/v1/files/(?P<id>[^/]+)", self._retrieve)
        router.add("DELETE", r"/v1/files/(?P<id>[^/]+)", self._delete)
        router.add("GET", r"/v1/files/(?P<id>[^/]+)/content", self._content)

    def add(self, filename: str, purpose: str, content: bytes) -> StoredFile:
        """Store a file and return it."""
        stored = StoredFile(
            self.rt.ids.new("file-"), filename, purpose, content, int(self.rt.clock.time())
        )
        with self._lock:
            self._files[stored.id] = stored
        return stored

    def get(self, file_id: str) -> StoredFile:
        """A stored file, or a 404 ``InvalidRequest``."""
        with self._lock:
            stored = self._files.get(file_id)
        if stored is None:
            raise InvalidRequest(f"No such File object: {file_id}", status=404, param="id")
        return stored

    def _create(self, ctx: Ctx) -> Response:
        fields, files = parse_multipart(ctx.request)
        purpose = fields.get("purpose")
        if purpose not in PURPOSES:
            raise InvalidRequest(
                "Invalid value for 'purpose'.", param="purpose", code="invalid_value"
            )
        if "file" not in files:
            raise InvalidRequest("Missing required parameter: 'file'.", param="file")
        filename, content = files["file"]
        if len(content) > MAX_BYTES:
            raise InvalidRequest("File is too large.", status=413, param="file")
        if purpose == "batch" and not filename.endswith(".jsonl"):
            raise InvalidRequest("Batch input files must be .jsonl files.", param="file")
        return json_response(self.add(filename, purpose, content).to_json())

    def _retrieve(self, ctx: Ctx) -> Response:
        return json_response(self.get(ctx.match["id"]).to_json())

    def _delete(self, ctx: Ctx) -> Response:
        stored = self.get(ctx.match["id"])
        with self._lock:
            self._files.pop(stored.id, None)
        return json_response({"id": stored.id, "object": "file", "deleted": True})

    def _content(self, ctx: Ctx) -> Response:
        stored = self.get(ctx.match["id"])
        return Response(200, stored.content, {"content-type": "application/octet-stream"})
