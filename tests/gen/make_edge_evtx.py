#!/usr/bin/env python3
"""make_edge_evtx.py OUTDIR -- write small EVTX files for spoor's parser tests.

Every file NAME.evtx gets a sidecar NAME.expect.json describing exactly what
was written: per record its id, chunk, time, provider, event id and the
EventData / UserData values (type, JSON value, canonical text, raw bytes in
hex), plus, for damaged files, which records a careful parser can still
recover.  Everything is deterministic: running the script twice produces
identical bytes.

Files
-----
types.evtx              every scalar value type + a string array, twice
                        (second record reuses the template)
types_arrays.evtx       fixed-size array types (type | 0x80)
raw_tokens.evtx         records without templates: Value (single and
                        multi-part), CDATA, EntityRef, PI, CharRef
tokens_in_template.evtx the same rare tokens inside template definitions
hostile.evtx            hostile but valid strings (quotes, backslashes, <, &,
                        control characters, CSV/formula injection, CR/LF,
                        non-BMP, bidi controls, a 10000-character value,
                        hostile attribute values)
hostile_unpaired.evtx   strings that are not valid text: lone UTF-16
                        surrogates and embedded NUL characters
multichunk.evtx         1500 records over several 64 KiB chunks
wide.evtx               records whose JSON is ~6x their size: every chunk
                        renders to ~400 KB, past spoor's 128 KiB per-chunk
                        output window
wider.evtx              the same with 250-character names: ~2 MB per chunk
userdata.evtx           events whose payload is <UserData> (a BinXml 0x21
                        value holding a nested template instance)
dirty_chunk_count.evtx  3 chunks, but the header says 1 chunk and is dirty
bad_chunk_crc.evtx      3 chunks, the middle chunk's record-data CRC is wrong
bad_chunk_header_crc.evtx  3 chunks, the middle chunk's header CRC is wrong
zeroed_chunk.evtx       3 chunks, the middle one overwritten with zeros
truncated.evtx          2 chunks, the file cut in the middle of a record
"""

import datetime as dt
import json
import os
import struct
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))

import evtxwriter as ew  # noqa: E402
from evtxwriter import (VT, CData, CharRef, Element, EntityRef, EvtxWriter,  # noqa: E402
                        PI, Sub, Template, TemplateInstance, Value)

UTC = dt.timezone.utc
T0 = dt.datetime(2022, 8, 22, 0, 30, 0, tzinfo=UTC)   # all edge files start here

SEC_PROVIDER = "Microsoft-Windows-Security-Auditing"
SEC_GUID = "{54849625-5478-4994-A5BA-3E3B0328C30D}"
TEST_PROVIDER = "Spoor-Test-Provider"
TEST_GUID = "{5B0C7E4F-3D0A-4C7B-9D1E-0A1B2C3D4E5F}"
COMPUTER = "TEST-HOST.spoor.test"

TYPE_BY_CODE = {code: name for name, code in ew.TYPE_NAMES.items()}


def at(seconds):
    """A fixed time `seconds` after T0."""
    return T0 + dt.timedelta(seconds=seconds)


def iso(when):
    """ISO-8601 UTC with 7 fractional digits (FILETIME resolution)."""
    ticks = ew.filetime(when)
    base = when.replace(microsecond=0)
    return base.strftime("%Y-%m-%dT%H:%M:%S") + ".%07dZ" % (ticks % 10_000_000)


# --------------------------------------------------------------------------
# Describing values for the .expect.json sidecars
# --------------------------------------------------------------------------

def _scalar_json(vtype, v):
    """(JSON value, canonical text) of one scalar of type vtype."""
    if vtype in (VT.STRING, VT.ANSI_STRING):
        return v, v
    if vtype in (VT.INT8, VT.UINT8, VT.INT16, VT.UINT16, VT.INT32, VT.UINT32,
                 VT.INT64, VT.UINT64):
        return v, str(v)
    if vtype == VT.REAL32:
        f = struct.unpack("<f", struct.pack("<f", v))[0]   # value as stored
        return f, repr(f)
    if vtype == VT.REAL64:
        return v, repr(v)
    if vtype == VT.BOOL:
        return bool(v), "true" if v else "false"
    if vtype == VT.BINARY:
        return bytes(v).hex().upper(), bytes(v).hex().upper()
    if vtype == VT.GUID:
        text = "{%s}" % str(uuid.UUID(str(v).strip("{}"))).upper()
        return text, text
    if vtype in (VT.SIZE_T, VT.HEX_INT32, VT.HEX_INT64):
        return v, "0x%x" % v
    if vtype == VT.FILETIME:
        return iso(v), iso(v)
    if vtype == VT.SYSTEMTIME:
        text = v.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (v.microsecond // 1000)
        return text, text
    if vtype == VT.SID:
        return v, v
    raise ValueError("no description for type 0x%02x" % vtype)


def describe_value(val):
    """JSON description of a Value: type name/code, value, text, raw hex."""
    d = {"type": TYPE_BY_CODE[val.vtype], "type_code": val.vtype}
    if val.value is None:
        d.update(wire_type="Null", value=None, text="", hex="")
        return d
    if val.vtype == VT.BINXML:
        inst = val.value
        d["value"] = {
            "template_guid": "{%s}" % str(inst.template.guid).upper(),
            "root": inst.template.root.name,
            "values": [describe_value(v) for v in inst.values],
        }
        return d
    if val.vtype & VT.ARRAY:
        base = val.vtype & 0x7F
        pairs = [_scalar_json(base, v) for v in val.value]
        d["value"] = [p[0] for p in pairs]
        d["text"] = [p[1] for p in pairs]
    else:
        d["value"], d["text"] = _scalar_json(val.vtype, val.value)
    d["hex"] = val.encode().hex()
    return d


class Recorder:
    """Wraps an EvtxWriter and remembers what was written for the sidecar."""

    def __init__(self, name, description, compact=False):
        self.name = name
        self.description = description
        self.compact = compact      # values only (no text/hex) for bulk files
        self.w = EvtxWriter()
        self.records = []
        self.notes = []

    def event(self, event_id, fields, when, provider=TEST_PROVIDER, guid=TEST_GUID,
              channel="Spoor-Test/Operational", user_data=None, **kw):
        values = [(n, ew.to_value("" if v is None else v)) for n, v in fields]
        rid = self.w.add_event(provider, guid, event_id, kw.pop("level", 4),
                               kw.pop("task", 0), kw.pop("opcode", 0),
                               kw.pop("keywords", 0x8000000000000000), when,
                               process_id=kw.pop("process_id", 4242),
                               thread_id=kw.pop("thread_id", 4343), channel=channel,
                               computer=kw.pop("computer", COMPUTER),
                               event_data=values, user_data=user_data, **kw)
        rec = {"record_id": rid, "time": iso(when), "provider": provider,
               "event_id": event_id, "channel": channel, "computer": COMPUTER}
        if user_data is not None:
            rec["user_data"] = describe_value(Value(VT.BINXML, user_data))
        elif self.compact:
            rec["event_data"] = [[n, TYPE_BY_CODE[v.vtype],
                                  describe_value(v)["value"]] for n, v in values]
        else:
            rec["event_data"] = [dict(name=n, **describe_value(v)) for n, v in values]
        self.records.append(rec)
        return rid

    def raw(self, root, when, xml):
        rid = self.w.add_raw_record(root, when)
        self.records.append({"record_id": rid, "time": iso(when), "template": False,
                             "xml": xml})
        return rid

    def templated(self, template, values, when, xml):
        rid = self.w.add_template_record(template, values, when)
        self.records.append({"record_id": rid, "time": iso(when), "template": True,
                             "values": [describe_value(ew.to_value(v)) for v in values],
                             "xml": xml})
        return rid

    def write(self, outdir, damage=None, recoverable=None, **to_bytes_kw):
        """Write NAME.evtx and NAME.expect.json."""
        chunk_of = {}
        for ci, chunk in enumerate(c for c in self.w.chunks if c.records):
            for rid, _off in chunk.records:
                chunk_of[rid] = ci
        offsets = {rid: (off, size) for rid, off, size in self.w.record_offsets()}
        for rec in self.records:
            rec["chunk"] = chunk_of[rec["record_id"]]
            rec["file_offset"], rec["size"] = offsets[rec["record_id"]]
        path = os.path.join(outdir, self.name + ".evtx")
        size = self.w.write(path, **to_bytes_kw)
        expect = {
            "file": self.name + ".evtx",
            "description": self.description,
            "file_size": size,
            "chunks_written": len(set(chunk_of.values())),
            "header_chunk_count": to_bytes_kw.get("header_chunk_count",
                                                  len(set(chunk_of.values()))),
            "record_count": len(self.records),
            "damage": damage,
            "recoverable_record_ids": (recoverable if recoverable is not None
                                       else [r["record_id"] for r in self.records]),
            "notes": self.notes,
            "records": self.records,
        }
        with open(os.path.join(outdir, self.name + ".expect.json"), "w",
                  encoding="ascii") as fh:
            fh.write(_dump_expect(expect))
        return path


def _dump_expect(expect):
    """JSON text with the header keys indented and one record per line
    (ASCII only: lone surrogates appear as \\udXXX escapes)."""
    def enc(obj):
        return json.dumps(obj, ensure_ascii=True, sort_keys=False)
    lines = ["{"]
    for key, value in expect.items():
        if key == "records":
            continue
        lines.append("  %s: %s," % (enc(key), enc(value)))
    lines.append('  "records": [')
    recs = expect["records"]
    for i, rec in enumerate(recs):
        lines.append("    " + enc(rec) + ("," if i + 1 < len(recs) else ""))
    lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# The files
# --------------------------------------------------------------------------

def make_types(outdir):
    r = Recorder("types", "Every scalar BinXML value type plus a string array, in "
                 "EventData.  Record 2 reuses record 1's template with other values "
                 "(extremes, empty string/binary/array).")
    when = dt.datetime(2022, 8, 22, 1, 2, 3, 456789, tzinfo=UTC)
    first = [
        ("String", ("String", "h\u00e9llo w\u00f6rld \u2603")),
        ("AnsiString", ("AnsiString", "plain ansi")),
        ("Int8", ("Int8", -5)), ("UInt8", ("UInt8", 250)),
        ("Int16", ("Int16", -300)), ("UInt16", ("UInt16", 65000)),
        ("Int32", ("Int32", -70000)), ("UInt32", ("UInt32", 4000000000)),
        ("Int64", ("Int64", -(2 ** 40))), ("UInt64", ("UInt64", 2 ** 63 + 5)),
        ("Real32", ("Real32", 1.5)), ("Real64", ("Real64", 3.14159)),
        ("Bool", ("Bool", True)),
        ("Binary", ("Binary", bytes([0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF]))),
        ("GUID", ("GUID", "{11223344-5566-7788-99AA-BBCCDDEEFF00}")),
        ("SizeT", ("SizeT", 0x1234)),
        ("FILETIME", ("FILETIME", when)),
        ("SYSTEMTIME", ("SYSTEMTIME", when)),
        ("SID", ("SID", "S-1-5-21-3623811015-3361044348-30300820-1013")),
        ("HexInt32", ("HexInt32", 0xBEEF)),
        ("HexInt64", ("HexInt64", 0x8020000000000000)),
        ("StringArray", ("StringArray", ["alpha", "beta gamma", ""])),
    ]
    second = [
        ("String", ("String", "")),
        ("AnsiString", ("AnsiString", "")),
        ("Int8", ("Int8", 127)), ("UInt8", ("UInt8", 0)),
        ("Int16", ("Int16", -32768)), ("UInt16", ("UInt16", 0)),
        ("Int32", ("Int32", 2147483647)), ("UInt32", ("UInt32", 0)),
        ("Int64", ("Int64", -(2 ** 63))), ("UInt64", ("UInt64", 2 ** 64 - 1)),
        ("Real32", ("Real32", -0.25)), ("Real64", ("Real64", 1e-300)),
        ("Bool", ("Bool", False)),
        ("Binary", ("Binary", b"")),
        ("GUID", ("GUID", "{00000000-0000-0000-0000-000000000000}")),
        ("SizeT", ("SizeT", 2 ** 64 - 1)),
        ("FILETIME", ("FILETIME", dt.datetime(1601, 1, 1, tzinfo=UTC))),
        ("SYSTEMTIME", ("SYSTEMTIME", dt.datetime(2022, 12, 31, 23, 59, 59, 999000,
                                                   tzinfo=UTC))),
        ("SID", ("SID", "S-1-5-18")),
        ("HexInt32", ("HexInt32", 0)),
        ("HexInt64", ("HexInt64", 2 ** 64 - 1)),
        ("StringArray", ("StringArray", [])),
    ]
    r.event(1001, first, when)
    r.event(1001, second, at(3600))
    r.notes.append("SizeT is written as an 8-byte value with descriptor type 0x10.")
    r.notes.append("FILETIME text has 7 fractional digits; SYSTEMTIME has milliseconds.")
    r.notes.append("An empty StringArray is a zero-size 0x81 value.")
    return r.write(outdir)


def make_types_arrays(outdir):
    r = Recorder("types_arrays", "Arrays of fixed-size types (value type | 0x80), "
                 "one record per array type plus one record holding them all.")
    when = at(10)
    arrays = [
        ("Int8Array", [-1, 2, 127]), ("UInt8Array", [0, 1, 255]),
        ("Int16Array", [-2, 3]), ("UInt16Array", [1, 65535]),
        ("Int32Array", [-3, 4]), ("UInt32Array", [1, 2, 3, 4000000000]),
        ("Int64Array", [-4, 5]), ("UInt64Array", [1, 2 ** 64 - 1]),
        ("Real32Array", [0.5, -2.0]), ("Real64Array", [0.25, 1e10]),
        ("GUIDArray", ["{11223344-5566-7788-99AA-BBCCDDEEFF00}",
                       "{00000000-0000-0000-0000-000000000001}"]),
        ("FILETIMEArray", [when, at(20)]),
        ("SYSTEMTIMEArray", [when]),
        ("HexInt32Array", [1, 0xFFFFFFFF]), ("HexInt64Array", [2, 0xFFFF0000FFFF0000]),
        ("AnsiStringArray", ["ab", "c"]),
    ]
    for i, (tname, items) in enumerate(arrays):
        r.event(2000 + i, [("Values", (tname, items))], at(10 + i))
    r.event(2100, [(tname, (tname, items)) for tname, items in arrays], at(60))
    r.notes.append("python-evtx 0.6.1 implements only the 0x81 (string) array "
                   "type and raises KeyError on these records.")
    return r.write(outdir)


def _raw_token_trees():
    """(element tree, expected XML) pairs for the rare-token records.  The
    CharRef record comes last: libevtx 20181227 cannot read CharRef tokens and
    abandons the file there."""
    return [
        (Element("Event", attrs=[("xmlns", "urn:spoor:test"), ("Kind", "values")],
                 children=[Element("Text", children=["plain value"]),
                           Element("Multi", children=["part one, ", "part two"]),
                           Element("Empty")]),
         '<Event xmlns="urn:spoor:test" Kind="values"><Text>plain value</Text>'
         '<Multi>part one, part two</Multi><Empty/></Event>'),
        (Element("Event", children=[Element("Script", children=[
            CData('if (a < b && c > d) { alert("x"); }')])]),
         '<Event><Script><![CDATA[if (a < b && c > d) { alert("x"); }]]></Script></Event>'),
        (Element("Event", children=[
            Element("Amp", children=["Tom ", EntityRef("amp"), " Jerry"]),
            Element("Lt", children=["a ", EntityRef("lt"), " b"])]),
         '<Event><Amp>Tom &amp; Jerry</Amp><Lt>a &lt; b</Lt></Event>'),
        (Element("Event", children=[
            PI("xml-stylesheet", 'href="style.xsl" type="text/xsl"'),
            Element("Data", children=["x"])]),
         '<Event><?xml-stylesheet href="style.xsl" type="text/xsl"?><Data>x</Data></Event>'),
        (Element("Event", children=[Element("Char", children=["A=", CharRef(65)])]),
         '<Event><Char>A=&#65;</Char></Event>'),
    ]


def make_raw_tokens(outdir):
    r = Recorder("raw_tokens", "Records whose BinXML is a plain element tree "
                 "(fragment header, element, EOF; no template instance), using "
                 "Value (single and multi-part, 0x45), CDATA, EntityRef, PI and "
                 "CharRef tokens.  'xml' is the expected rendering.")
    for i, (tree, xml) in enumerate(_raw_token_trees()):
        r.raw(tree, at(100 + i), xml)
    r.notes.append("libevtx 20181227 rejects CharRef tokens (fixed in later "
                   "libfwevt); python-evtx 0.6.1 cannot render records that do "
                   "not start with a template instance.")
    return r.write(outdir)


def make_tokens_in_template(outdir):
    r = Recorder("tokens_in_template", "The rare tokens of raw_tokens.evtx inside "
                 "template definitions (each template also has a substitution, "
                 "attribute Id = value 0).")
    for i, (tree, xml) in enumerate(_raw_token_trees()):
        root = Element(tree.name, attrs=[("Id", Sub(0, VT.UINT32))] + tree.attrs,
                       children=tree.children)
        tpl = Template(root, key=("tokens", i))
        r.templated(tpl, [("UInt32", i + 1)], at(200 + i),
                    xml.replace("<Event", '<Event Id="%d"' % (i + 1), 1))
    r.notes.append("python-evtx 0.6.1 reads the CDATA length as bytes, not "
                   "characters, and drops CharRef; libevtx 20181227 rejects CharRef.")
    return r.write(outdir)


HOSTILE = [
    ("DoubleQuotes", 'He said "hello" and left'),
    ("SingleQuotes", "it's 'quoted'"),
    ("Backslashes", "C:\\Windows\\System32\\cmd.exe \\\\server\\c$\\ trailing\\"),
    ("AngleBrackets", "<script>alert(1)</script> <Data Name=\"x\">"),
    ("Ampersands", "a & b &amp; c &#65; &lt;"),
    ("CdataEnd", "]]> ]]&gt; <![CDATA[x]]>"),
    ("FormulaInjection", "=cmd|' /C calc'!A0"),
    ("FormulaVariants", "+SUM(1,1) -2+3 @SUM(A1) \t=1+1"),
    ("CrLf", "line1\r\nline2\nline3\rline4"),
    ("Tabs", "col1\tcol2\t\tcol4"),
    ("ControlChars", "a\x01\x02\x07\x08\x0b\x0c\x1b\x1f\x7fz"),
    ("Unicode", "\u30e6\u30fc\u30b6\u30fc \u0645\u0631\u062d\u0628\u0627 \U0001F600 \u00df"),
    ("BidiAndZeroWidth", "abc\u202edcba\u202c \u200b\u200d\ufeff end"),
    ("FormatStrings", "%s %n %1 %%1844 {0} ${jndi:ldap://x/a}"),
    ("SqlLike", "'; DROP TABLE events;--"),
    ("Json", '{"a": [1, "two"], "b\\"": null}'),
    ("Whitespace", "   leading and trailing   "),
    ("Empty", ""),
    ("Long", ("0123456789" * 1000)),
]
HOSTILE_NAMES = ['Quote"Name', "Lt<Name", "Amp&Name", "Apos'Name", "Back\\Name"]


def make_hostile(outdir):
    r = Recorder("hostile", "Hostile but well-formed strings: one EventData value "
                 "per kind, field values used as Data Name attributes, and a "
                 "process-creation-like record with a hostile command line.")
    r.event(3001, HOSTILE, at(300))
    r.event(3002, [(n, "value of " + n) for n in HOSTILE_NAMES], at(301))
    r.event(3003, [("CommandLine", 'cmd.exe /c "echo <a&b> | find "x" > C:\\t\\o.txt 2>&1"'),
                   ("Image", "C:\\Windows\\System32\\cmd.exe"),
                   ("User", "DOMAIN\\user\"name"),
                   ("ParentCommandLine", "=HYPERLINK(\"http://x\",\"y\")")], at(302))
    r.notes.append("Field 'Long' is 10000 characters.")
    return r.write(outdir)


def make_hostile_unpaired(outdir):
    r = Recorder("hostile_unpaired", "Strings that are not valid UTF-16 text or "
                 "contain NUL: lone high/low surrogates, a reversed pair, "
                 "embedded NUL.  'hex' gives the exact UTF-16LE bytes.")
    r.event(3101, [("LoneHigh", "x\ud800y"), ("LoneLow", "x\udc00y"),
                   ("Reversed", "\udc00\ud800"), ("HighAtEnd", "end\udbff")], at(310))
    r.event(3102, [("EmbeddedNul", "before\x00after"), ("TrailingNul", "text\x00")],
            at(311))
    r.notes.append("python-evtx 0.6.1 raises UnicodeDecodeError on lone surrogates; "
                   "libevtx 20181227 substitutes U+FFFD and stops output at an "
                   "embedded NUL.")
    return r.write(outdir)


def _logon_fields(i):
    """Varied 4624-like fields for the bulk files (deterministic in i)."""
    return [
        ("SubjectUserSid", ("SID", "S-1-5-18")),
        ("SubjectUserName", "TEST-HOST$"),
        ("SubjectDomainName", "SPOOR"),
        ("SubjectLogonId", ("HexInt64", 0x3E7)),
        ("TargetUserSid", ("SID", "S-1-5-21-1004336348-1177238915-682003330-%d" % (1100 + i % 37))),
        ("TargetUserName", "user%03d" % (i % 37)),
        ("TargetDomainName", "SPOOR"),
        ("TargetLogonId", ("HexInt64", 0x1000000 + i * 17)),
        ("LogonType", ("UInt32", (2, 3, 10, 5)[i % 4])),
        ("LogonProcessName", "User32 " if i % 2 else "NtLmSsp "),
        ("AuthenticationPackageName", "Negotiate" if i % 2 else "NTLM"),
        ("WorkstationName", "WKS-%02d" % (i % 11)),
        ("LogonGuid", ("GUID", uuid.UUID(int=(i * 0x9E3779B97F4A7C15) % (1 << 128)))),
        ("ProcessId", ("HexInt64", 0x2F0 + i % 5)),
        ("ProcessName", "C:\\Windows\\System32\\svchost.exe"),
        ("IpAddress", "10.0.%d.%d" % (i % 4, 10 + i % 200)),
        ("IpPort", str(49152 + i % 1000)),
    ]


def make_multichunk(outdir):
    r = Recorder("multichunk", "1500 records (two templates, varied values) "
                 "spanning several 64 KiB chunks; templates and names are "
                 "re-declared inline at the start of each chunk.  event_data "
                 "entries are [name, type, value].", compact=True)
    for i in range(1500):
        when = at(1000 + i * 7)
        if i % 5 == 4:
            r.event(4688, [("NewProcessId", ("HexInt64", 0x1000 + i)),
                           ("NewProcessName", "C:\\Windows\\System32\\cmd%d.exe" % (i % 9)),
                           ("CommandLine", "cmd.exe /c echo record %d" % i),
                           ("ParentProcessName", "C:\\Windows\\explorer.exe")], when,
                    provider=SEC_PROVIDER, guid=SEC_GUID, channel="Security",
                    task=13312, keywords=0x8020000000000000)
        else:
            r.event(4624, _logon_fields(i), when, provider=SEC_PROVIDER, guid=SEC_GUID,
                    channel="Security", task=12544, level=0, version=2,
                    keywords=0x8020000000000000)
    return r.write(outdir)


def make_wide(outdir, name="wide", records=600, fields=60, name_len=45):
    r = Recorder(name, "%d records of %d one-byte fields with %d-character names: a "
                 "64 KiB chunk renders to several times spoor's 128 KiB output window.  "
                 "event_data entries are [name, type, value]." % (records, fields, name_len),
                 compact=True)
    names = [("WideField%02d" % k).ljust(name_len, "x") for k in range(fields)]
    for i in range(records):
        r.event(7001, [(n, ("UInt8", (i + k) % 256)) for k, n in enumerate(names)], at(5000 + i))
    return r.write(outdir)


def _userdata_templates():
    eventlog_ns = "http://manifests.microsoft.com/win/2004/08/windows/eventlog"
    cleared = Template(Element("LogFileCleared", attrs=[("xmlns", eventlog_ns)], children=[
        Element("SubjectUserSid", children=[Sub(0, VT.SID)]),
        Element("SubjectUserName", children=[Sub(1, VT.STRING)]),
        Element("SubjectDomainName", children=[Sub(2, VT.STRING)]),
        Element("SubjectLogonId", children=[Sub(3, VT.HEX_INT64)])]), key="LogFileCleared")
    rdp = Template(Element("EventXML", attrs=[
        ("xmlns", "Event_NS")], children=[
        Element("User", children=[Sub(0, VT.STRING)]),
        Element("SessionID", children=[Sub(1, VT.UINT32)]),
        Element("Address", children=[Sub(2, VT.STRING)])]), key="LSM-EventXML")
    return cleared, rdp


def make_userdata(outdir):
    r = Recorder("userdata", "Events with <UserData>: the System template ends in "
                 "<UserData>%17</UserData> and value 17 is BinXml (0x21) holding a "
                 "fragment with its own template instance (defined inline on first "
                 "use, referenced afterwards).")
    cleared, rdp = _userdata_templates()
    r.event(1102, [], at(400), provider="Microsoft-Windows-Eventlog",
            guid="{FC65DDD8-D6EF-4962-83D5-6E5CFE9CE148}", channel="Security",
            task=104, keywords=0x4020000000000000,
            user_data=TemplateInstance(cleared, [("SID", "S-1-5-21-1004336348-1177238915-682003330-1001"),
                                                 "support", "SPOOR", ("HexInt64", 0x5A3C1)]))
    for i, (user, sess, addr) in enumerate([("SPOOR\\support", 3, "104.225.129.86"),
                                            ("SPOOR\\alice", 4, "10.0.1.25"),
                                            ("SPOOR\\support", 5, "LOCAL")]):
        r.event(21, [], at(410 + i),
                provider="Microsoft-Windows-TerminalServices-LocalSessionManager",
                guid="{5D896912-022D-40AA-A3A8-4FA5515C76D7}",
                channel="Microsoft-Windows-TerminalServices-LocalSessionManager/Operational",
                user_sid="S-1-5-18",
                user_data=TemplateInstance(rdp, [user, ("UInt32", sess), addr]))
    return r.write(outdir)


def _small_records(r, chunk_sizes, start):
    """chunk_sizes[i] small records in chunk i (new_chunk between them)."""
    rid_by_chunk = []
    n = 0
    for ci, count in enumerate(chunk_sizes):
        if ci:
            r.w.new_chunk()
        ids = []
        for _ in range(count):
            ids.append(r.event(5000 + ci, [("Chunk", ("UInt32", ci)), ("Seq", ("UInt32", n)),
                                           ("Text", "record %d in chunk %d" % (n, ci))],
                               at(start + n)))
            n += 1
        rid_by_chunk.append(ids)
    return rid_by_chunk


def make_damaged(outdir):
    # 1. header claims one chunk (and is dirty), the file holds three
    r = Recorder("dirty_chunk_count", "Three valid chunks, but the file header says "
                 "1 chunk (last chunk number 0) and has the dirty flag; the next "
                 "record id in the header is still right.")
    _small_records(r, [5, 5, 5], 500)
    r.write(outdir, damage={"header_chunk_count": 1, "dirty": True},
            header_chunk_count=1, dirty=True)

    # 2. bad record-data CRC in the middle chunk
    r = Recorder("bad_chunk_crc", "Three chunks; chunk 1's event-records CRC32 "
                 "(chunk offset 52) is wrong.  The records themselves are intact.")
    ids = _small_records(r, [5, 5, 5], 600)
    r.notes.append("recoverable_record_ids lists the records in chunks with valid "
                   "CRCs; chunk 1's records are intact if the CRC is ignored.")
    r.write(outdir, damage={"corrupt_crc_chunks": [1], "which": "records CRC"},
            recoverable=ids[0] + ids[2], corrupt_crc=[1])

    # 2b. bad header CRC in the middle chunk
    r = Recorder("bad_chunk_header_crc", "Three chunks; chunk 1's header CRC32 (chunk "
                 "offset 124, over bytes 0..120 and 128..512) is wrong.  The header "
                 "fields, tables and records are intact.")
    ids = _small_records(r, [5, 5, 5], 650)
    r.notes.append("recoverable_record_ids lists the records in chunks with valid "
                   "CRCs; chunk 1's records are intact if the CRC is ignored.")
    r.write(outdir, damage={"corrupt_crc_chunks": [1], "which": "header CRC"},
            recoverable=ids[0] + ids[2], corrupt_header_crc=[1])

    # 3. zeroed middle chunk
    r = Recorder("zeroed_chunk", "Three chunks; chunk 1 is overwritten with zero "
                 "bytes (no signature).  Chunks 0 and 2 are intact.")
    ids = _small_records(r, [5, 5, 5], 700)
    r.write(outdir, damage={"zeroed_chunks": [1]}, recoverable=ids[0] + ids[2],
            zero_chunks=[1])

    # 4. truncated in the middle of a record in the second chunk
    r = Recorder("truncated", "Two chunks; the file ends in the middle of the "
                 "third record of chunk 1.")
    ids = _small_records(r, [6, 6], 800)
    rid, off, size = r.w.record_offsets()[8]          # third record of chunk 1
    cut = off + size // 2
    r.write(outdir, damage={"truncated_at": cut, "cut_record_id": rid},
            recoverable=ids[0] + ids[1][:2], truncate_at=cut)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: make_edge_evtx.py OUTDIR\n")
        return 2
    outdir = argv[1]
    os.makedirs(outdir, exist_ok=True)
    make_types(outdir)
    make_types_arrays(outdir)
    make_raw_tokens(outdir)
    make_tokens_in_template(outdir)
    make_hostile(outdir)
    make_hostile_unpaired(outdir)
    make_multichunk(outdir)
    make_wide(outdir)
    make_wide(outdir, "wider", records=500, fields=40, name_len=250)
    make_userdata(outdir)
    make_damaged(outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
