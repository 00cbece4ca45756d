"""JSON shapes of the accounts API."""
import marshmallow as ma


class MeOut(ma.Schema):
    id = ma.fields.Integer(required=True)
    email = ma.fields.Email(required=True)
    name = ma.fields.String(required=True)
    locale = ma.fields.String(required=True)
    roles = ma.fields.Method("sorted_roles", metadata={"type": "array", "items": {"type": "string"}})
    organization = ma.fields.Function(
        lambda user: user.organization.slug if user.organization else None, allow_none=True,
        metadata={"type": "string", "nullable": True},
    )

    def sorted_roles(self, user):
        return sorted(user.roles)
