"""Pages of background jobs: "Your files", a job's progress page, its download, retrying a failed one.

Anyone signed in may open these addresses; a job that is not theirs (and that they do not hold the
same rights to: grants.jobs.services.visible) is not found, as if it did not exist.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import signed_in
from grants.errors import NotFound
from grants.jobs import services

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


@bp.route("/")
@signed_in
def index() -> ResponseReturnValue:
    return render_template("jobs/index.html", jobs=services.jobs_of(signed_in_user()), kept=services.is_kept)


@bp.route("/<int:job_id>")
@signed_in
def job_page(job_id: int) -> ResponseReturnValue:
    user = signed_in_user()
    try:
        job = services.visible(user, job_id)
    except NotFound:
        abort(404)
    return render_template(
        "jobs/job.html",
        job=job,
        kept=services.is_kept(job),
        extension=services.extension(job),
        own=job.requested_by_id == user.id,
        may_download=services.may_download(user, job),
    )


@bp.route("/<int:job_id>/download.<any(csv, xlsx, json):extension>")
@signed_in
def download(job_id: int, extension: str) -> ResponseReturnValue:
    try:
        path, name = services.file_for(signed_in_user(), job_id, extension)
    except NotFound:
        abort(404)
    return send_file(path, as_attachment=True, download_name=name, max_age=0)


@bp.route("/<int:job_id>/retry", methods=["POST"])
@signed_in
def retry(job_id: int) -> ResponseReturnValue:
    try:
        services.retry(signed_in_user(), job_id)
    except NotFound:
        abort(404)
    except services.JobLimitReached as exc:
        flash(str(exc))
    return redirect(url_for("jobs.job_page", job_id=job_id))
