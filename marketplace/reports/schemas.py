"""The impact report at the JSON boundary: its query and its figures."""
from __future__ import annotations

import marshmallow as ma



class ReportQuery(ma.Schema):
    since = ma.fields.Date(data_key="from", load_default=None,
                           metadata={"description": "First day counted (Asia/Jakarta), inclusive"})
    until = ma.fields.Date(data_key="to", load_default=None,
                           metadata={"description": "Last day counted (Asia/Jakarta), inclusive"})
    cohort = ma.fields.Integer(load_default=None, validate=ma.validate.Range(1900, 2199), metadata={
        "description": "Only graduates of this graduation year"})
    batch = ma.fields.Date(load_default=None, metadata={
        "description": "Only the batch that graduated on this day (narrower than `cohort`, so it wins over it)"})

    @ma.validates_schema
    def _range_ordered(self, data, **_kwargs):
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ma.ValidationError("The last day cannot be before the first day.", field_name="to")


class FunnelOut(ma.Schema):
    graduates = ma.fields.Integer(required=True)
    with_shop = ma.fields.Integer(required=True)
    with_active_listing = ma.fields.Integer(required=True)
    with_first_sale = ma.fields.Integer(required=True)
    selling_in_range = ma.fields.Integer(required=True, metadata={"description": "Graduates with sales from `from` to `to`"})


class ShareOut(ma.Schema):
    days = ma.fields.Integer(required=True)
    count = ma.fields.Integer(required=True, metadata={"description": "Graduates who sold within `days`"})
    eligible = ma.fields.Integer(required=True, metadata={"description": "Graduates who graduated at least `days` ago"})
    percent = ma.fields.Float(allow_none=True)


class FirstSalesOut(ma.Schema):
    median_days = ma.fields.Float(allow_none=True)
    within = ma.fields.List(ma.fields.Nested(ShareOut), required=True)


class TotalsOut(ma.Schema):
    orders = ma.fields.Integer(required=True)
    units = ma.fields.Integer(required=True)
    sales = ma.fields.Integer(required=True, metadata={"description": "Rupiah, net of refunds"})
    earnings = ma.fields.Integer(required=True, metadata={"description": "Rupiah, sales less commission"})
    average_order_value = ma.fields.Integer(required=True)


class MonthOut(ma.Schema):
    month = ma.fields.String(required=True, metadata={"example": "2026-01"})
    orders = ma.fields.Integer(required=True)
    units = ma.fields.Integer(required=True)
    sales = ma.fields.Integer(required=True)
    earnings = ma.fields.Integer(required=True)


class PlaceOut(ma.Schema):
    key = ma.fields.String(required=True)
    sales = ma.fields.Integer(required=True)
    orders = ma.fields.Integer(required=True)


class BuyersOut(ma.Schema):
    sales = ma.fields.Integer(required=True)
    outside_home_province = ma.fields.Integer(required=True)
    abroad = ma.fields.Integer(required=True)
    by_island_group = ma.fields.List(ma.fields.Nested(PlaceOut), required=True)
    by_province = ma.fields.List(ma.fields.Nested(PlaceOut), required=True)
    by_country = ma.fields.List(ma.fields.Nested(PlaceOut), required=True)


class SoldOut(ma.Schema):
    key = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    units = ma.fields.Integer(required=True)
    sales = ma.fields.Integer(required=True)


class GraduateOut(ma.Schema):
    name = ma.fields.String(required=True)
    program_title = ma.fields.String(required=True)
    graduated_on = ma.fields.Date(required=True)
    shop_name = ma.fields.String(allow_none=True)
    shop_slug = ma.fields.String(allow_none=True)
    listings = ma.fields.Integer(required=True)
    orders = ma.fields.Integer(required=True)
    units = ma.fields.Integer(required=True)
    sales = ma.fields.Integer(required=True)
    first_sale_on = ma.fields.Date(allow_none=True)


class ProgramReportOut(ma.Schema):
    program = ma.fields.String(required=True, metadata={"description": "The program's slug"})
    title = ma.fields.String(required=True)
    organization = ma.fields.String(required=True)
    currency = ma.fields.String(required=True)
    time_zone = ma.fields.String(required=True)
    since = ma.fields.Date(data_key="from", allow_none=True)
    until = ma.fields.Date(data_key="to", allow_none=True)
    cohort = ma.fields.String(allow_none=True, metadata={"description": "The year or batch day counted, if any"})
    funnel = ma.fields.Nested(FunnelOut, required=True)
    first_sales = ma.fields.Nested(FirstSalesOut, required=True)
    totals = ma.fields.Nested(TotalsOut, required=True)
    monthly = ma.fields.List(ma.fields.Nested(MonthOut), required=True)
    buyers = ma.fields.Nested(BuyersOut, required=True)
    techniques = ma.fields.List(ma.fields.Nested(SoldOut), required=True)
    categories = ma.fields.List(ma.fields.Nested(SoldOut), required=True)
    motifs = ma.fields.List(ma.fields.Nested(SoldOut), required=True)
    graduates = ma.fields.List(ma.fields.Nested(GraduateOut), allow_none=True, metadata={
        "description": "Null when the viewer may not see them (an admin, for a program held in a correctional facility)"})
