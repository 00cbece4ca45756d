"""JSON API: the public program catalogue, graduation claims and their verification, rosters."""
from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_babel import gettext as _
from marketplace.core.blueprints import Blueprint

from marketplace.accounts.models import Role
from marketplace.accounts.policy import api_user, token_required
from marketplace.core.errors import NotFound
from marketplace.core.pagination import PageQuery, page_envelope, paginate
from marketplace.extensions import db
from marketplace.programs import queries, rosters, services
from marketplace.programs.models import Graduation, TrainingProgram
from marketplace.programs.schemas import (
    GraduationClaimIn, GraduationOut, GraduationPatch, OrganizationOut, ProgramIn, ProgramOut,
    ProgramPatch, ProgramQuery, RejectIn, RosterImportOut, RosterIn,
)

blp = Blueprint("programs-api", __name__, url_prefix="/api/v1",
                description="Training programs and verified graduations")
BEARER = [{"bearerAuth": []}]


@blp.route("/organizations")
class Organizations(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_envelope(OrganizationOut, "OrganizationPage"))
    def get(self, args):
        """Organizations that ran training programs"""
        body, headers = paginate(queries.organizations_by_name(), args["page"], args["per_page"])
        return body, 200, headers


@blp.route("/programs")
class Programs(MethodView):
    @blp.arguments(ProgramQuery, location="query")
    @blp.response(200, page_envelope(ProgramOut, "ProgramPage"))
    def get(self, args):
        """Training programs, newest first; filter by province, kind, technique, organization"""
        page, per_page = args.pop("page"), args.pop("per_page")
        body, headers = paginate(queries.programs_filtered(**args), page, per_page)
        return body, 200, headers

    @token_required(Role.OFFICER.value, Role.ADMIN.value)
    @blp.doc(security=BEARER)
    @blp.arguments(ProgramIn)
    @blp.response(201, ProgramOut)
    def post(self, data):
        """Add a program (officers: of their own organization; admins: any organization)"""
        program = services.create_program(api_user(), organization_slug=data.pop("organization", None), **data)
        return program, 201, {"Location": url_for("programs-api.Program", slug=program.slug)}


@blp.route("/programs/<slug>")
class Program(MethodView):
    @blp.response(200, ProgramOut)
    def get(self, slug):
        """One program (the shops of its graduates who chose to be shown: `GET /shops?program=<slug>`)"""
        program = db.session.scalar(TrainingProgram.by_slug(slug))
        if program is None:
            raise NotFound(_("Program not found."))
        return program

    @token_required(Role.OFFICER.value, Role.ADMIN.value)
    @blp.doc(security=BEARER)
    @blp.arguments(ProgramPatch)
    @blp.response(200, ProgramOut)
    def patch(self, data, slug):
        """Edit a program of your organization. Only an admin may change
        `held_in_correctional_facility` (422 otherwise); every edit is audited."""
        data.pop("organization", None)
        return services.update_program(api_user(), slug, **data)


@blp.route("/programs/<slug>/roster")
class Roster(MethodView):
    @token_required(Role.OFFICER.value, Role.ADMIN.value)
    @blp.doc(security=BEARER)
    @blp.arguments(RosterIn, location="files")
    @blp.response(201, RosterImportOut)
    def post(self, files, slug):
        """Import a CSV roster (name, email or phone, certificate_number, graduated_on): all rows or none.

        Answers with counts only, never the people read: their codes are on the program's
        invitation page. A bad file answers 422 with the problems by row (`errors.roster`)."""
        invitations = rosters.import_roster(api_user(), slug, files["roster"].stream)
        return {"program": slug, "imported": len(invitations),
                "emailed": sum(1 for invitation in invitations if invitation.email)}, 201


@blp.route("/graduations")
class Graduations(MethodView):
    @token_required(Role.ARTISAN.value)
    @blp.doc(security=BEARER)
    @blp.response(200, GraduationOut(many=True))
    def get(self):
        """Your own graduations and claims"""
        return db.session.scalars(Graduation.of_artisan(api_user().id)).all()

    @token_required(Role.ARTISAN.value)
    @blp.doc(security=BEARER)
    @blp.arguments(GraduationClaimIn)
    @blp.response(201, GraduationOut)
    def post(self, data):
        """Claim a program you graduated from; an officer of its organization will verify it"""
        graduation = services.claim_graduation(
            api_user(), program_slug=data["program"], certificate_number=data["certificate_number"],
            graduated_on=data["graduated_on"],
        )
        return graduation, 201, {"Location": url_for("programs-api.GraduationItem", graduation_id=graduation.id)}


@blp.route("/graduations/<int:graduation_id>")
class GraduationItem(MethodView):
    @token_required()
    @blp.doc(security=BEARER)
    @blp.response(200, GraduationOut)
    def get(self, graduation_id):
        """One of your graduations"""
        return services.own_graduation(api_user(), graduation_id)

    @token_required()
    @blp.doc(security=BEARER)
    @blp.arguments(GraduationPatch)
    @blp.response(200, GraduationOut)
    def patch(self, data, graduation_id):
        """Choose whether buyers see this graduation on your shop. Showing one of a program held in
        a correctional facility needs `confirm_correctional_facility_shown: true` (422 otherwise)"""
        return services.set_graduation_visibility(
            api_user(), graduation_id, public=data["public"],
            confirm_correctional_facility_shown=data["confirm_correctional_facility_shown"],
        )

    @token_required()
    @blp.doc(security=BEARER)
    @blp.response(204)
    def delete(self, graduation_id):
        """Withdraw a claim or graduation; an uploaded certificate is deleted with it"""
        services.withdraw_graduation(api_user(), graduation_id)


@blp.route("/graduations/<int:graduation_id>/verify", methods=["POST"])
@token_required(Role.OFFICER.value, Role.ADMIN.value)
@blp.doc(security=BEARER)
@blp.response(200, GraduationOut)
def verify(graduation_id):
    """Verify a claim (officer of the program's organization)"""
    return services.verify_graduation(api_user(), graduation_id)


@blp.route("/graduations/<int:graduation_id>/reject", methods=["POST"])
@token_required(Role.OFFICER.value, Role.ADMIN.value)
@blp.doc(security=BEARER)
@blp.arguments(RejectIn)
@blp.response(200, GraduationOut)
def reject(data, graduation_id):
    """Reject a claim with a reason (officer of the program's organization)"""
    return services.reject_graduation(api_user(), graduation_id, reason=data["reason"])
