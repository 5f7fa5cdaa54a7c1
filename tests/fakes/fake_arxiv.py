#!/usr/bin/env python3
"""A fake arXiv for tests: RSS, OAI-PMH, the API, PDFs and abs/list pages on 127.0.0.1.

Serves what tests/fixtures/arxiv/ holds (see make_rss.py there):
  GET /rss/<a>[+<b>...]      the feed of the scenario's day; names are categories or archives
                             ("cs" = every cs.* feed); joined feeds list each paper once,
                             announce types relative to the union, new first
  GET /oai?verb=ListRecords  metadataPrefix=arXiv, from/until/set, resumptionToken pages of
                             `oai_page_size` records, noRecordsMatch; set physics:hep-th and
                             physics:hep-ex replay the recorded hepcrawl responses
  GET /api/query?id_list=    Atom entries for known ids (recorded fixtures replayed verbatim
                             when the id_list matches one); HTTP 400 "Error" entry for a bad id
  GET /pdf/<id>, /abs/<id>, /list/<cat>/new
Admin (not arXiv): GET/POST /_admin/scenario (JSON), GET /_admin/log.

The scenario (JSON, from --scenario FILE, re-read on every request, or POSTed) holds:
  {"day": "2026-06-29",           listing day the feeds show ("2026-06-27" = weekend)
   "oai_page_size": 1000,
   "faults": [{"path": "/oai", "query": "resumptionToken", "kind": "503", "count": 1,
               "after": 0, "retry_after": "1", "sleep": 2.0}]}
Fault kinds: 503, 429, 500 (with Retry-After when given; "date" sends an HTTP-date),
reset (connection reset, no reply), timeout (sleep `sleep` s, then reply), truncate (half the
declared body, then close), malformed (well-delivered but cut XML), and for /oai:
repeat_token (the page as usual but its resumptionToken is the one just sent, a loop) and
empty_page (no records, a fresh resumptionToken). A fault applies to the `count` requests
whose path starts with `path` (and whose query contains `query`), after skipping `after` of
them; with `"every": N` it applies to every Nth such request instead (the 7th, 14th, ...; at
most `count` times when count is given).

Every request is appended to --log as a JSON line {"t": monotonic, "wall": time, "method",
"target", "status", "fault"} so tests can check spacing and duplicates; with --log-ends the
line is written once the reply is sent and also holds "t_end", when it was.

Usage: fake_arxiv.py --fixtures DIR [--port 0] [--scenario FILE] [--log FILE] [--port-file F]
                    [--log-ends]
Prints "PORT <n>" on stdout once listening.
"""

import argparse
import datetime
import email.utils
import json
import os
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RSS_NS = {"arxiv": "http://arxiv.org/schemas/atom", "dc": "http://purl.org/dc/elements/1.1/",
          "atom": "http://www.w3.org/2005/Atom"}
for _p, _u in RSS_NS.items():
    ET.register_namespace(_p, _u)
ID_RE = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$")
PHYSICS_ARCHIVES = {"astro-ph", "cond-mat", "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th",
                    "math-ph", "nlin", "nucl-ex", "nucl-th", "physics", "quant-ph"}


def esc(s):
    return (str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def archive_of(cat):
    return cat.split(".")[0]


def oai_set_of(cat):
    a = archive_of(cat)
    return f"physics:{a}" if a in PHYSICS_ARCHIVES else a


def rfc1123(day):
    d = datetime.datetime.fromisoformat(day + "T04:00:00+00:00")
    return email.utils.format_datetime(d, usegmt=True)


class Data:
    """The fixture data and what arXiv would show on a given day."""

    def __init__(self, root):
        self.root = root
        self.records = {}
        with open(os.path.join(root, "records.jsonl"), encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                self.records[r["id"]] = r
        self.replacements = {"day": "9999-12-31", "version": 1, "ids": []}
        if os.path.exists(os.path.join(root, "replacements.json")):
            with open(os.path.join(root, "replacements.json"), encoding="utf-8") as f:
                self.replacements = json.load(f)
        self.api_index = {}
        index = os.path.join(root, "api", "index.json")
        with open(index if os.path.exists(index) else os.devnull, encoding="utf-8") as f:
            for e in (json.load(f) if os.path.getsize(f.name) else []):
                q = urllib.parse.parse_qs(urllib.parse.urlsplit(e["url"]).query)
                if "id_list" in q:
                    self.api_index[q["id_list"][0]] = (e["file"], e["status_code"])

    def feed_categories(self, day):
        d = os.path.join(self.root, "rss", day)
        if not os.path.isdir(d):
            return []
        return sorted(f[:-4] for f in os.listdir(d) if f.endswith(".xml"))

    def version(self, rid, day):
        rep = self.replacements
        return rep["version"] if rid in rep["ids"] and day >= rep["day"] else 1

    def visible(self, rid, day):
        r = self.records.get(rid)
        return r is not None and r["listing_date"] <= day

    def published(self, r):
        d = datetime.date.fromisoformat(r["listing_date"]) - datetime.timedelta(days=1)
        secs = int(re.sub(r"\D", "", r["id"])[-4:]) % 3600
        t = datetime.datetime.combine(d, datetime.time(17, 0)) + datetime.timedelta(seconds=secs)
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")

    def updated(self, r, day):
        if self.version(r["id"], day) > 1:
            d = datetime.date.fromisoformat(self.replacements["day"]) - datetime.timedelta(days=1)
            return d.isoformat() + "T15:00:00Z"
        return self.published(r)

    def datestamp(self, r, day):
        if self.version(r["id"], day) > 1:
            return self.replacements["day"]
        return r["listing_date"]


def rss_feed(data, names, day):
    """The RSS document for /rss/<names> on `day` (bytes)."""
    available = data.feed_categories(day)
    wanted = []
    for n in names:
        wanted += [c for c in available if c == n or archive_of(c) == n]
    union = set(wanted)
    items, seen = [], set()
    for cat in wanted:
        tree = ET.parse(os.path.join(data.root, "rss", day, f"{cat}.xml"))
        for item in tree.getroot().find("channel").findall("item"):
            guid = item.find("guid").text
            if guid in seen:
                continue
            seen.add(guid)
            items.append(item)
    template = ET.parse(os.path.join(data.root, "rss", day, f"{available[0]}.xml")) \
        if available else None

    def kind(item):
        cats = [c.text for c in item.findall("category")]
        t = item.find(f"{{{RSS_NS['arxiv']}}}announce_type").text
        primary = cats[0] in union
        if t.startswith("replace"):
            return ("replace" if primary else "replace-cross"), 2
        return ("new" if primary else "cross"), (0 if primary else 1)

    items.sort(key=lambda it: (kind(it)[1], it.find("guid").text))
    label = "+".join(names)
    pub = datetime.date.fromisoformat(day).strftime("%a, %d %b %Y") + " 00:00:00 -0400"
    rss = ET.Element("rss", {"version": "2.0"})
    ch = ET.SubElement(rss, "channel")
    ET.SubElement(ch, "title").text = f"{label} updates on arXiv.org"
    ET.SubElement(ch, "link").text = f"http://rss.arxiv.org/rss/{label}"
    ET.SubElement(ch, "description").text = f"{label} updates on the arXiv.org e-print archive."
    ET.SubElement(ch, "language").text = "en-us"
    ET.SubElement(ch, "lastBuildDate").text = pub
    ET.SubElement(ch, "pubDate").text = pub
    skip = ET.SubElement(ch, "skipDays")
    for n in ("Saturday", "Sunday"):
        ET.SubElement(skip, "day").text = n
    for item in items:
        t, _ = kind(item)
        item.find(f"{{{RSS_NS['arxiv']}}}announce_type").text = t
        desc = item.find("description")
        desc.text = re.sub(r"Announce Type: \S+", f"Announce Type: {t}", desc.text, count=1)
        ch.append(item)
    del template
    return b"<?xml version='1.0' encoding='UTF-8'?>\n" + ET.tostring(rss, encoding="utf-8")


def oai_record_xml(data, r, day):
    authors = []
    for name in r["authors"]:
        parts = name.rsplit(" ", 1)
        fore = f"<forenames>{esc(parts[0])}</forenames>" if len(parts) == 2 else ""
        authors.append(f"<author><keyname>{esc(parts[-1])}</keyname>{fore}</author>")
    created = data.published(r)[:10]
    upd = data.updated(r, day)[:10]
    updated = f"<updated>{upd}</updated>" if upd != created else ""
    comments = f"<comments>{esc(r['comment'])}</comments>" if r.get("comment") else ""
    return (
        f"<record><header><identifier>oai:arXiv.org:{r['id']}</identifier>"
        f"<datestamp>{data.datestamp(r, day)}</datestamp>"
        f"<setSpec>{oai_set_of(r['categories'][0])}</setSpec></header>"
        f"<metadata><arXiv xmlns=\"http://arxiv.org/OAI/arXiv/\" "
        f"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
        f"<id>{r['id']}</id><created>{created}</created>{updated}"
        f"<authors>{''.join(authors)}</authors><title>{esc(r['title'])}</title>"
        f"<categories>{' '.join(r['categories'])}</categories>{comments}"
        f"<license>http://creativecommons.org/licenses/by/4.0/</license>"
        f"<abstract>{esc(r['summary'])}</abstract></arXiv></metadata></record>")


def oai_envelope(inner, request_attrs, day):
    now = f"{day}T23:00:00Z"
    attrs = " ".join(f'{k}="{esc(v)}"' for k, v in request_attrs.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<responseDate>{now}</responseDate><request {attrs}>http://export.arxiv.org/oai2"
        f"</request>{inner}</OAI-PMH>").encode("utf-8")


def oai_list_records(data, q, day, page_size):
    """(status, body) for a ListRecords request."""
    if q.get("verb") != "ListRecords":
        return 200, oai_envelope('<error code="badVerb">only ListRecords is faked</error>', {}, day)
    token = q.get("resumptionToken")
    if token:
        try:
            frm, until, oset, cursor = token.split("|")[:4]
            cursor = int(cursor)
        except ValueError:
            return 200, oai_envelope(
                '<error code="badResumptionToken">bad token</error>', {"verb": "ListRecords"}, day)
    else:
        if q.get("metadataPrefix") != "arXiv":
            return 200, oai_envelope('<error code="cannotDisseminateFormat">arXiv only</error>',
                                     {"verb": "ListRecords"}, day)
        frm, until, oset, cursor = q.get("from", ""), q.get("until", ""), q.get("set", ""), 0
        recorded = {"physics:hep-th": "arxiv-physics-hep-th.xml",
                    "physics:hep-ex": "arxiv-physics-hep-ex.xml"}
        if oset in recorded:
            with open(os.path.join(data.root, "oai", recorded[oset]), "rb") as f:
                return 200, f.read()
    matches = []
    for r in sorted(data.records.values(), key=lambda r: r["id"]):
        if not data.visible(r["id"], day):
            continue
        ds = data.datestamp(r, day)
        if frm and ds < frm or until and ds > until:
            continue
        if oset and oai_set_of(r["categories"][0]) != oset:
            continue
        matches.append(r)
    attrs = {"verb": "ListRecords", "metadataPrefix": "arXiv"}
    if not matches:
        return 200, oai_envelope('<error code="noRecordsMatch">no records</error>', attrs, day)
    page = matches[cursor:cursor + page_size]
    inner = "".join(oai_record_xml(data, r, day) for r in page)
    nxt = cursor + page_size
    if nxt < len(matches):
        tok = f"{frm}|{until}|{oset}|{nxt}"
        inner += (f'<resumptionToken cursor="{cursor}" completeListSize="{len(matches)}">'
                  f"{esc(tok)}</resumptionToken>")
    elif cursor > 0:
        inner += f'<resumptionToken cursor="{cursor}" completeListSize="{len(matches)}"/>'
    return 200, oai_envelope(f"<ListRecords>{inner}</ListRecords>", attrs, day)


def api_entry(data, r, day):
    v = data.version(r["id"], day)
    cats = "".join(f'<category term="{esc(c)}" scheme="http://arxiv.org/schemas/atom"/>'
                   for c in r["categories"])
    authors = "".join(f"<author><name>{esc(a)}</name></author>" for a in r["authors"])
    comment = f"<arxiv:comment>{esc(r['comment'])}</arxiv:comment>" if r.get("comment") else ""
    return (
        f"<entry><id>http://arxiv.org/abs/{r['id']}v{v}</id>"
        f"<title>{esc(r['title'])}</title><updated>{data.updated(r, day)}</updated>"
        f'<link href="https://arxiv.org/abs/{r["id"]}v{v}" rel="alternate" type="text/html"/>'
        f'<link href="https://arxiv.org/pdf/{r["id"]}v{v}" rel="related" '
        f'type="application/pdf" title="pdf"/>'
        f"<summary>{esc(r['summary'])}</summary>{cats}"
        f"<published>{data.published(r)}</published>{comment}"
        f'<arxiv:primary_category term="{esc(r["categories"][0])}"/>{authors}</entry>')


def api_query(data, q, day):
    id_list = q.get("id_list", "")
    if id_list in data.api_index:
        name, status = data.api_index[id_list]
        with open(os.path.join(data.root, "api", name), "rb") as f:
            return status, f.read()
    ids = [i for i in id_list.split(",") if i]
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom">'
            f"<id>https://arxiv.org/api/fake</id><title>arXiv Query: id_list={esc(id_list)}</title>"
            f"<updated>{day}T23:00:00Z</updated>")
    for i in ids:
        if not ID_RE.match(i):
            return 400, (head + "<opensearch:itemsPerPage>1</opensearch:itemsPerPage>"
                         "<opensearch:totalResults>1</opensearch:totalResults>"
                         "<opensearch:startIndex>0</opensearch:startIndex><entry>"
                         f"<id>https://arxiv.org/api/errors#incorrect_id_format_for_{esc(i)}</id>"
                         f"<title>Error</title><summary>incorrect id format for {esc(i)}</summary>"
                         "<author><name>arXiv api core</name></author></entry></feed>"
                         ).encode("utf-8")
    found = []
    for i in ids:
        base = re.sub(r"v\d+$", "", i)
        if data.visible(base, day):
            found.append(data.records[base])
    body = (head + f"<opensearch:itemsPerPage>{len(ids)}</opensearch:itemsPerPage>"
            f"<opensearch:totalResults>{len(found)}</opensearch:totalResults>"
            "<opensearch:startIndex>0</opensearch:startIndex>"
            + "".join(api_entry(data, r, day) for r in found) + "</feed>")
    return 200, body.encode("utf-8")


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.posted = None
        self.fault_hits = {}
        self.empty_pages = 0
        self.log = open(args.log, "a", encoding="utf-8") if args.log else None
        self.data = Data(args.fixtures)

    def scenario(self):
        with self.lock:
            if self.posted is not None:
                return self.posted
        if self.args.scenario and os.path.exists(self.args.scenario):
            with open(self.args.scenario, encoding="utf-8") as f:
                return json.load(f)
        return {}

    def pick_fault(self, scenario, path, query):
        with self.lock:
            for i, f in enumerate(scenario.get("faults", [])):
                if not path.startswith(f.get("path", "/")):
                    continue
                if f.get("query") and f["query"] not in query:
                    continue
                key = json.dumps(f, sort_keys=True) + str(i)
                n = self.fault_hits.get(key, 0)
                self.fault_hits[key] = n + 1
                after, count = int(f.get("after", 0)), int(f.get("count", 1))
                if f.get("every"):
                    every, m = int(f["every"]), n - after
                    limited = "count" in f and (m + 1) // every > count
                    if m >= 0 and (m + 1) % every == 0 and not limited:
                        return f
                    continue
                if after <= n < after + count:
                    return f
        return None

    def record(self, entry):
        if not self.log:
            return
        with self.lock:
            self.log.write(json.dumps(entry) + "\n")
            self.log.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-arxiv/1"

    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        st = self.server.state
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if self.path.startswith("/_admin/scenario"):
            with st.lock:
                st.posted = json.loads(body or b"{}")
                st.fault_hits = {}
            return self.reply(200, b"{}", "application/json")
        self.reply(404, b"not found", "text/plain")

    def do_GET(self):
        st = self.server.state
        arrived = time.monotonic()
        split = urllib.parse.urlsplit(self.path)
        path, query = split.path, split.query
        if path.startswith("/_admin/"):
            return self.admin(path)
        scenario = st.scenario()
        fault = st.pick_fault(scenario, path, query)
        entry = {"t": arrived, "wall": time.time(), "method": "GET", "target": self.path,
                 "fault": fault.get("kind") if fault else None}
        status, body, ctype, headers = self.route(st.data, scenario, path, query)
        entry["status"] = status
        if st.args.log_ends:  # the line is written once the reply is sent, with its end
            try:
                if fault:
                    entry["status"] = self.apply_fault(fault, status, body, ctype, headers)
                else:
                    self.reply(status, body, ctype, headers)
            finally:
                entry["t_end"] = time.monotonic()
                st.record(entry)
            return
        if fault:
            entry["status"] = self.apply_fault(fault, status, body, ctype, headers)
            st.record(entry)
            return
        st.record(entry)
        self.reply(status, body, ctype, headers)

    def admin(self, path):
        st = self.server.state
        if path == "/_admin/scenario":
            return self.reply(200, json.dumps(st.scenario()).encode(), "application/json")
        if path == "/_admin/log" and st.args.log:
            with open(st.args.log, "rb") as f:
                return self.reply(200, f.read(), "application/x-ndjson")
        self.reply(404, b"not found", "text/plain")

    def route(self, data, scenario, path, query):
        day = scenario.get("day", "2026-06-29")
        q = {k: v[0] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
        if path.startswith("/rss/"):
            names = urllib.parse.unquote(path[5:]).replace(" ", "+").split("+")
            last_modified = rfc1123(day)
            if self.headers.get("If-Modified-Since") == last_modified:
                return 304, b"", "application/rss+xml", {"Last-Modified": last_modified}
            return (200, rss_feed(data, names, day), "application/rss+xml; charset=utf-8",
                    {"Last-Modified": last_modified})
        if path == "/oai":
            status, body = oai_list_records(data, q, day, int(scenario.get("oai_page_size", 1000)))
            return status, body, "text/xml; charset=utf-8", {}
        if path == "/api/query":
            status, body = api_query(data, q, day)
            return status, body, "application/atom+xml; charset=utf-8", {}
        m = re.match(r"^/(pdf|abs)/(.+)$", path)
        if m:
            base = re.sub(r"v\d+$", "", m.group(2))
            if not data.visible(base, day):
                return 404, b"not found", "text/plain", {}
            r = data.records[base]
            if m.group(1) == "abs":
                return (200, f"<html><title>{esc(r['title'])}</title></html>".encode(),
                        "text/html", {})
            pdf = os.path.join(data.root, "pdf", base.replace("/", "_") + ".pdf")
            if os.path.exists(pdf):
                with open(pdf, "rb") as f:
                    return 200, f.read(), "application/pdf", {}
            return 404, b"no PDF fixture", "text/plain", {}
        m = re.match(r"^/list/([^/]+)/new$", path)
        if m:
            ids = [r["id"] for r in data.records.values()
                   if r["listing_date"] == day and m.group(1) in r["categories"]]
            html = "".join(f'<dt><a href="/abs/{i}">arXiv:{i}</a></dt>' for i in sorted(ids))
            return 200, f"<html><dl>{html}</dl></html>".encode(), "text/html", {}
        return 404, b"not found", "text/plain", {}

    def apply_fault(self, fault, status, body, ctype, headers):
        kind = str(fault.get("kind"))
        if kind in ("503", "429", "500"):
            h = {}
            ra = fault.get("retry_after")
            if ra == "date":
                h["Retry-After"] = email.utils.formatdate(time.time() + 1, usegmt=True)
            elif ra is not None:
                h["Retry-After"] = str(ra)
            self.reply(int(kind), f"fault {kind}".encode(), "text/plain", h)
            return int(kind)
        if kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.close_connection = True
            return 0
        if kind == "timeout":
            time.sleep(float(fault.get("sleep", 2.0)))
            try:
                self.reply(status, body, ctype, headers)
            except OSError:
                pass
            return status
        if kind == "truncate":
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return status
        if kind == "repeat_token":
            token = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get(
                "resumptionToken", ["loop|||0"])[0]
            looped = re.sub(rb"<resumptionToken([^>]*)>[^<]*</resumptionToken>|"
                            rb"<resumptionToken([^>]*)/>",
                            lambda m: b"<resumptionToken" + (m.group(1) or m.group(2) or b"")
                            + b">" + esc(token).encode() + b"</resumptionToken>", body)
            if looped == body:  # the last page: append the token
                looped = body.replace(b"</ListRecords>", b"<resumptionToken>"
                                      + esc(token).encode() + b"</resumptionToken></ListRecords>")
            self.reply(status, looped, ctype, headers)
            return status
        if kind == "empty_page":
            with self.server.state.lock:
                self.server.state.empty_pages += 1
                k = self.server.state.empty_pages
            token = f"|||0|empty{k}"
            page = oai_envelope(f"<ListRecords><resumptionToken cursor=\"0\">{esc(token)}"
                                "</resumptionToken></ListRecords>",
                                {"verb": "ListRecords", "metadataPrefix": "arXiv"}, "2026-06-29")
            self.reply(200, page, ctype, headers)
            return 200
        if kind == "malformed":
            self.reply(status, body[:len(body) // 2], ctype, headers)
            return status
        self.reply(status, body, ctype, headers)
        return status

    def reply(self, status, body, ctype, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD" and status != 304:
            self.wfile.write(body)


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ConnectionError, BrokenPipeError)):
            return  # a client that went away (or a fault we injected)
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description="fake arXiv for tests")
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--scenario")
    ap.add_argument("--log")
    ap.add_argument("--port-file")
    ap.add_argument("--log-ends", action="store_true",
                    help="log each request after its reply is sent, with t_end (monotonic)")
    args = ap.parse_args()
    server = QuietServer(("127.0.0.1", args.port), Handler)
    server.state = State(args)
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(port))
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"PORT {port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
