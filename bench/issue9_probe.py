"""Replay the requests that reproduced issue 9's twelve findings, and print what each answers.

    .venv/bin/python bench/issue9_probe.py

Runs against a throwaway SQLite database with the demo data (never the demo database you judge
pages on), through Flask's test client. It is written to run on any revision, before the fixes
too, so it touches new settings (Huey, proxies) only where they exist. One line per finding;
the closing note of issue 9 quotes its output before and after.
"""
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
tmp = tempfile.mkdtemp()
os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/r.db"
os.environ["UPLOAD_ROOT"] = f"{tmp}/up"
os.environ.setdefault("PUBLIC_BASE_URL", "https://canting.example")
os.environ["TRUSTED_PROXY_COUNT"] = "1"
os.environ["HUEY_SQLITE_PATH"] = f"{tmp}/huey.db"
sys.path.insert(0, os.getcwd())
from marketplace import create_app
from marketplace.extensions import db
import sqlalchemy as sa
app = create_app("development", {"WTF_CSRF_ENABLED": False, "MAIL_BACKEND": "locmem", "TESTING": True,
                                  "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/r.db", "HUEY_IMMEDIATE": True})
try:
    from marketplace.core import jobs
except ImportError:  # revisions before the outbox sent mail inside the request, with no queue
    jobs = None
r = app.test_cli_runner()
print("upgrade", r.invoke(args=["db", "upgrade"]).exit_code, "seed", r.invoke(args=["seed-demo"]).exit_code)
PW = "canting-demo-2026"
from marketplace.accounts.models import User
from marketplace.accounts.services import create_api_token
from marketplace.programs.models import AccessLogEntry, Graduation, TrainingProgram

def token(email):
    with app.app_context():
        return create_api_token(db.session.scalar(sa.select(User).filter_by(email=email))).secret

def login(c, email, pw=PW, **kw):
    return c.post("/login", data={"email": email, "password": pw}, **kw)

def logcount():
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(AccessLogEntry.id)))

def outbox():
    return app.extensions["mailman"].outbox

PRISON = "wub-ikm-batik-cipinang-2024"
off = token("officer.ikma@canting.test")
H = {"Authorization": f"Bearer {off}"}
c = app.test_client()
# 1
resp = c.patch(f"/api/v1/programs/{PRISON}", json={"held_in_correctional_facility": False}, headers=H)
print("F1 officer PATCH held_in_correctional_facility=false ->", resp.status_code, resp.get_json().get("errors", resp.get_json().get("held_in_correctional_facility")))
# 2
before = logcount()
csv = "name,email,certificate_number,graduated_on\nSiti Aminah,siti.roster@mail.co.id,WUB-CPG-2024-099,2024-09-07\n"
import io
resp = c.post(f"/api/v1/programs/{PRISON}/roster", data={"roster": (io.BytesIO(csv.encode()), "r.csv")}, headers=H, content_type="multipart/form-data")
print("F2 roster import API ->", resp.status_code, resp.get_data(as_text=True)[:300] if resp.status_code >= 400 else "", "response names the person:", "siti" in resp.get_data(as_text=True).lower(), "| access-log rows written:", logcount() - before)
oc = app.test_client(); login(oc, "officer.ikma@canting.test")
before = logcount(); oc.get(f"/officer/programs/{PRISON}/invitations")
print("F2 invitation list view -> access-log rows written:", logcount() - before)
# 3
with app.app_context():
    o = db.session.scalar(sa.select(User).filter_by(email="officer.ikma@canting.test"))
    p = db.session.scalar(sa.select(TrainingProgram).filter_by(slug=PRISON))
    db.session.execute(sa.insert(AccessLogEntry), [{"officer_id": o.id, "program_id": p.id, "action": "view_graduates"} for _ in range(450)])
    db.session.commit()
ac = app.test_client(); login(ac, "admin@canting.test")
p1 = ac.get("/admin/access-log").get_data(as_text=True); p2 = ac.get("/admin/access-log?page=2").get_data(as_text=True)
nxt = re.search(r'href="(/admin/access-log\?[^"]*(?:cursor|after|page)[^"]*)"', p1)
p2b = ac.get(nxt.group(1).replace("&amp;", "&")).get_data(as_text=True) if nxt else p2
tbl = lambda h: (re.findall(r"<tbody.*?</tbody>", h, re.S) or [""])[0]
rows = lambda h: h.count("<tr") - 1
print("F3 access log: page-1 rows", rows(p1), "| ?page=2 table identical to page 1:", tbl(p1) == tbl(p2), "| next link:", bool(nxt), "| next-link table identical:", tbl(p1) == tbl(p2b),
      "| CSV:", ac.get("/admin/access-log.csv").status_code, ac.get("/admin/access-log/export").status_code)
# 4
with app.app_context():
    g = db.session.scalar(sa.select(Graduation).join(Graduation.program).where(TrainingProgram.slug == PRISON, Graduation.status == "verified"))
    gid = g.id
before = logcount()
resp = c.post(f"/api/v1/graduations/{gid}/verify", headers=H)
print("F4 verify decided claim ->", resp.status_code, "| access-log rows written:", logcount() - before)
# 5
rc = app.test_client()
b = app.test_client().post("/register", data={"email": "new.person@mail.co.id", "name": "X", "password": "longenough1", "confirm": "longenough1", "makes_batik": "y"}, follow_redirects=True).get_data(as_text=True)
a = app.test_client().post("/register", data={"email": "new.person@mail.co.id", "name": "X", "password": "longenough1", "confirm": "longenough1", "makes_batik": "y"}, follow_redirects=True).get_data(as_text=True)
b = app.test_client().post("/register", data={"email": "other.person@mail.co.id", "name": "X", "password": "longenough1", "confirm": "longenough1", "makes_batik": "y"}, follow_redirects=True).get_data(as_text=True)
txt = lambda h: re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", (re.findall(r'<main.*?</main>', h, re.S) or [h])[0])).replace("new.person@mail.co.id", "E").replace("other.person@mail.co.id", "E")
print("F5 /register with a taken email ->", txt(a)[:160], "| new email ->", txt(b)[:120], "| same main text:", txt(a) == txt(b))
def t(fn, n=15):
    xs = []
    for i in range(n):
        t0 = time.perf_counter(); fn(i); xs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(xs)
app.config["RATELIMIT_ENABLED"] = False
from marketplace.extensions import limiter
limiter.enabled = False
known = t(lambda i: login(app.test_client(), "buyer@canting.test", "wrong-password"))
unknown = t(lambda i: login(app.test_client(), f"nobody{i}@canting.test", "wrong-password"))
print(f"F5 failed sign-in median ms: existing {known:.0f} / unknown {unknown:.0f}")
if jobs:  # as in production: the request only enqueues, a worker delivers
    jobs.huey.immediate = False
known = t(lambda i: app.test_client().post("/password/reset", data={"email": "buyer@canting.test"}))
unknown = t(lambda i: app.test_client().post("/password/reset", data={"email": f"nobody{i}@canting.test"}))
print(f"F5 password reset request median ms (queue, no inline worker): existing {known:.0f} / unknown {unknown:.0f}")
if jobs:
    jobs.huey.immediate = True
limiter.enabled = True
# 6
sc = app.test_client(); login(sc, "budi@canting.test")
codes = [sc.post("/dashboard/graduations/redeem", data={"code": f"ZZZZ-{i:04d}"}).status_code for i in range(40)]
print("F6 40 wrong codes at /dashboard/graduations/redeem -> statuses", sorted(set(codes)), "429 after", codes.index(429) if 429 in codes else None)
# 7
limiter.reset()
st = [login(app.test_client(), "nurul@canting.test", "wrong", environ_base={"REMOTE_ADDR": "10.0.0.1"}, headers={"X-Forwarded-For": "203.0.113.9"}).status_code for _ in range(25)]
ok = login(app.test_client(), "nurul@canting.test", environ_base={"REMOTE_ADDR": "10.0.0.1"}, headers={"X-Forwarded-For": "198.51.100.7"}).status_code
print("F7 25 bad sign-ins for nurul from 203.0.113.9 via proxy ->", sorted(set(st)), "| then nurul's right password from 198.51.100.7 ->", ok)
limiter.reset()
# 8
rc2 = app.test_client(); login(rc2, "rahmat@canting.test")
with app.app_context():
    g = db.session.scalar(sa.select(Graduation).join(Graduation.artisan).where(User.email == "rahmat@canting.test"))
    gid = g.id
resp = rc2.post(f"/dashboard/graduations/{gid}/visibility", data={"public": "1"})
with app.app_context():
    print("F8 one POST 'show on my shop' (prison program) ->", resp.status_code, "| public now:", db.session.get(Graduation, gid).public)
# 9
nc = app.test_client(); login(nc, "nurul@canting.test")
from marketplace.catalog.models import Product
with app.app_context():
    prod = db.session.scalar(sa.select(Product).join(Product.shop).where(sa.text("shops.slug='serasan-batik-nurul'")))
    pid, vids = prod.id, [v.id for v in prod.variants]
data = {"price": "100000000000000000000", "status": "active", **{f"stock-{v}": "1" for v in vids}}
try:
    s1 = nc.post(f"/dashboard/products/{pid}/quick", data=data).status_code
except Exception as e:
    s1 = repr(e)[:60]
data2 = {"price": "5000000000", "status": "active", **{f"stock-{v}": "1" for v in vids}}
nc.post(f"/dashboard/products/{pid}/quick", data=data2)
with app.app_context():
    price = db.session.get(Product, pid).price
try:
    s2 = app.test_client().post("/language", data={"locale": "en", "next": "/\nenv;"}).status_code
except Exception as e:
    s2 = repr(e)[:60]
print("F9 quick edit price 1e20 ->", s1, "| price 5e9 stored:", price, "| POST /language next=/%0Aenv; ->", s2)
# 10
outbox().clear()
app.test_client().post("/password/reset", data={"email": "buyer@canting.test"}, headers={"Host": "evil.example"})
links = [re.findall(r"https?://[^/\s]+", m.body) for m in outbox()]
print("F10 reset mail links with Host: evil.example ->", links)
# 11
env = dict(os.environ, CANTING_CONFIG="production", SECRET_KEY="x" * 40, DATABASE_URL=f"sqlite:///{tmp}/prod.db")
subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], env=env, capture_output=True)
p = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "seed-demo"], env=env, capture_output=True, text=True)
import sqlite3
print("F11 seed-demo in production -> exit", p.returncode, (p.stdout + p.stderr).strip().splitlines()[-1:], "| users written:", sqlite3.connect(f"{tmp}/prod.db").execute("select count(*) from users").fetchone())
# 12
resp = oc.get(f"/officer/programs/{PRISON}/graduates")
print("F12 graduate list Cache-Control:", resp.headers.get("Cache-Control"), "| access log:", ac.get("/admin/access-log").headers.get("Cache-Control"))
