#!/usr/bin/env python3
"""evtxwriter -- a small, dependency-free writer for Windows XML Event Log (EVTX) files.

Written from scratch for spoor's tests and demo data, following the public
libyal "Windows XML Event Log (EVTX) format" description and [MS-EVEN6].
Python 3 standard library only; the output is deterministic (the same calls
produce the same bytes).

File layout
===========

    +----------------------+ 0x0000
    | file header (4 KiB)  |  "ElfFile\\0"
    +----------------------+ 0x1000
    | chunk 0 (64 KiB)     |  "ElfChnk\\0"
    +----------------------+ 0x11000
    | chunk 1 ...          |
    +----------------------+

File header (only the first 128 bytes are used, the rest of the 4096 is zero)::

    0   8  "ElfFile\\0"
    8   8  first chunk number            (0)
    16  8  last chunk number             (chunk count - 1)
    24  8  next record identifier        (last record id + 1)
    32  4  header size                   (128)
    36  2  minor version                 (1)
    38  2  major version                 (3)
    40  2  header block size             (4096)
    42  2  number of chunks
    44 76  unused (zero)
    120 4  file flags                    (0x1 dirty, 0x2 full)
    124 4  CRC32 of bytes 0..120

Chunk (65536 bytes): a 512-byte header followed by event records::

    0   8  "ElfChnk\\0"
    8   8  first event record number
    16  8  last event record number
    24  8  first event record identifier
    32  8  last event record identifier
    40  4  header size                   (128)
    44  4  offset of the last record     (chunk relative)
    48  4  free space offset             (end of the last record)
    52  4  CRC32 of bytes 512..free space offset (the records)
    56 64  unused
    120 4  flags (0)
    124 4  CRC32 of bytes 0..120 + 128..512
    128 256  common string offset table: 64 buckets (name hash % 64), each the
             chunk offset of the newest name in that bucket; older names are
             chained through the name's "next offset" field
    384 128  template pointer table: 32 buckets (template id % 32), each the
             chunk offset of a template definition, chained through the
             definition's "next offset" field

Event record::

    0   4  0x00002a2a
    4   4  record size (including this header and the trailing size copy)
    8   8  record identifier
    16  8  written time (FILETIME, UTC)
    24  .  BinXML document: fragment header, template instance, EOF token
    ..  4  copy of the record size

BinXML as written here (all offsets are relative to the chunk start)::

    fragment header   0x0f 0x01 0x01 0x00
    template instance 0x0c 0x01 <u32 template id> <u32 definition offset>
      definition      (only if "definition offset" points right behind itself,
                      i.e. the first use of this template in the chunk)
                      <u32 next definition> <GUID> <u32 data size>
                      0x0f 01 01 00 <element> 0x00
      instance data   <u32 value count> count x (<u16 size> <u8 type> <u8 0>)
                      followed by the value data
    EOF               0x00

    element           0x01|0x41 <u16 dependency id> <u32 data size>
                      <u32 name offset> [name, if inline]
                      [<u32 attribute list size> attributes]  (0x41 only)
                      0x02 content 0x04   or   0x03 (empty element)
    attribute         0x06|0x46 <u32 name offset> [name] <value token or substitution>
    name              <u32 next name in hash bucket> <u16 hash> <u16 chars>
                      UTF-16LE chars, UTF-16 NUL
    value text        0x05|0x45 0x01 <u16 chars> UTF-16LE
    substitution      0x0d (normal) | 0x0e (optional) <u16 index> <u8 value type>
    CDATA             0x07|0x47 <u16 chars> UTF-16LE
    char reference    0x08|0x48 <u16 code point>
    entity reference  0x09|0x49 <u32 name offset> [name]
    PI                0x0a <u32 name offset> [name]  then 0x0b <u16 chars> UTF-16LE

A name (element, attribute, entity or PI target name) is written inline the
first time it is used in a chunk and referenced by offset afterwards; the name
hash is the low 16 bits of ``h = h * 65599 + code_unit`` over the UTF-16 code
units.  A template definition is written inline at its first use in a chunk
and referenced by offset afterwards.  When a record does not fit in the
current chunk a new chunk is started (and names/templates are written inline
again there).

Substitution value types (``VT``)::

    0x00 Null   0x01 String (UTF-16LE)  0x02 AnsiString  0x03 Int8   0x04 UInt8
    0x05 Int16  0x06 UInt16  0x07 Int32  0x08 UInt32  0x09 Int64  0x0a UInt64
    0x0b Real32 0x0c Real64  0x0d Bool (32-bit)  0x0e Binary  0x0f GUID
    0x10 SizeT  0x11 FILETIME 0x12 SYSTEMTIME  0x13 SID  0x14 HexInt32
    0x15 HexInt64  0x21 BinXml (a nested BinXML fragment)
    type | 0x80: array (strings NUL separated, fixed-size types concatenated)

Public API (see the docstrings): ``EvtxWriter`` with ``add_event``,
``add_template_record``, ``add_raw_record``, ``new_chunk``, ``to_bytes`` and
``write``; the BinXML building blocks ``Element``, ``Sub``, ``CData``,
``CharRef``, ``EntityRef``, ``PI``, ``Template``, ``TemplateInstance``; values
via ``Value`` / ``typed`` / ``to_value``; and helpers ``filetime``, ``sid_bytes``,
``name_hash``.
"""

import copy
import datetime as _dt
import hashlib
import struct
import uuid
import zlib

__all__ = [
    "VT", "TYPE_NAMES", "Value", "typed", "to_value",
    "Element", "Sub", "CData", "CharRef", "EntityRef", "PI",
    "Template", "TemplateInstance", "EvtxWriter", "EvtxError",
    "filetime", "sid_bytes", "name_hash", "system_template",
]

FILE_HEADER_BLOCK = 0x1000
CHUNK_SIZE = 0x10000
CHUNK_HEADER_SIZE = 0x200
RECORD_MAGIC = 0x00002A2A
EVENT_NS = "http://schemas.microsoft.com/win/2004/08/events/event"
NO_DEPENDENCY = 0xFFFF

_EPOCH = _dt.datetime(1601, 1, 1, tzinfo=_dt.timezone.utc)


class EvtxError(Exception):
    """Raised for values or structures that cannot be encoded."""


# --------------------------------------------------------------------------
# Value types
# --------------------------------------------------------------------------

class VT:
    """BinXML substitution value type codes."""
    NULL = 0x00
    STRING = 0x01
    ANSI_STRING = 0x02
    INT8 = 0x03
    UINT8 = 0x04
    INT16 = 0x05
    UINT16 = 0x06
    INT32 = 0x07
    UINT32 = 0x08
    INT64 = 0x09
    UINT64 = 0x0A
    REAL32 = 0x0B
    REAL64 = 0x0C
    BOOL = 0x0D
    BINARY = 0x0E
    GUID = 0x0F
    SIZE_T = 0x10
    FILETIME = 0x11
    SYSTEMTIME = 0x12
    SID = 0x13
    HEX_INT32 = 0x14
    HEX_INT64 = 0x15
    BINXML = 0x21
    ARRAY = 0x80


# Names accepted by typed()/("Name", value) tuples.  "XxxArray" is type | 0x80.
TYPE_NAMES = {
    "Null": VT.NULL, "String": VT.STRING, "AnsiString": VT.ANSI_STRING,
    "Int8": VT.INT8, "UInt8": VT.UINT8, "Int16": VT.INT16, "UInt16": VT.UINT16,
    "Int32": VT.INT32, "UInt32": VT.UINT32, "Int64": VT.INT64, "UInt64": VT.UINT64,
    "Real32": VT.REAL32, "Real64": VT.REAL64, "Bool": VT.BOOL, "Binary": VT.BINARY,
    "GUID": VT.GUID, "SizeT": VT.SIZE_T, "FILETIME": VT.FILETIME,
    "SYSTEMTIME": VT.SYSTEMTIME, "SID": VT.SID, "HexInt32": VT.HEX_INT32,
    "HexInt64": VT.HEX_INT64, "BinXml": VT.BINXML,
}
for _n, _c in list(TYPE_NAMES.items()):
    if _c not in (VT.NULL, VT.BINXML, VT.BINARY):
        TYPE_NAMES[_n + "Array"] = _c | VT.ARRAY
del _n, _c

# struct formats of the fixed-size scalar types (also used for their arrays)
_FIXED = {
    VT.INT8: "<b", VT.UINT8: "<B", VT.INT16: "<h", VT.UINT16: "<H",
    VT.INT32: "<i", VT.UINT32: "<I", VT.INT64: "<q", VT.UINT64: "<Q",
    VT.REAL32: "<f", VT.REAL64: "<d", VT.BOOL: "<I", VT.SIZE_T: "<Q",
    VT.FILETIME: "<Q", VT.HEX_INT32: "<I", VT.HEX_INT64: "<Q",
}


def filetime(value):
    """Return a FILETIME integer (100 ns ticks since 1601-01-01 UTC).

    Accepts an int (returned unchanged) or a datetime (naive = UTC)."""
    if isinstance(value, int):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    delta = value - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def _systemtime_bytes(value):
    """SYSTEMTIME: year, month, day-of-week (0 = Sunday), day, hour, minute,
    second, milliseconds, each a little-endian u16."""
    if isinstance(value, (bytes, bytearray)):
        if len(value) != 16:
            raise EvtxError("SYSTEMTIME must be 16 bytes")
        return bytes(value)
    dow = (value.weekday() + 1) % 7
    return struct.pack("<8H", value.year, value.month, dow, value.day,
                       value.hour, value.minute, value.second,
                       value.microsecond // 1000)


def sid_bytes(sid):
    """Encode a textual SID ("S-1-5-21-...") into its binary form."""
    if isinstance(sid, (bytes, bytearray)):
        return bytes(sid)
    parts = sid.split("-")
    if len(parts) < 3 or parts[0].upper() != "S":
        raise EvtxError("bad SID %r" % (sid,))
    revision, authority = int(parts[1]), int(parts[2])
    subs = [int(p) for p in parts[3:]]
    if len(subs) > 15:
        raise EvtxError("too many SID sub-authorities")
    return (struct.pack("<BB", revision, len(subs)) + authority.to_bytes(6, "big")
            + b"".join(struct.pack("<I", s) for s in subs))


def _guid_bytes(value):
    """GUIDs are stored in the Windows mixed-endian layout (uuid.bytes_le)."""
    if isinstance(value, (bytes, bytearray)):
        if len(value) != 16:
            raise EvtxError("GUID must be 16 bytes")
        return bytes(value)
    if not isinstance(value, uuid.UUID):
        value = uuid.UUID(str(value).strip("{}"))
    return value.bytes_le


def _utf16(text):
    # surrogatepass keeps lone surrogates (hostile-string tests) encodable
    return text.encode("utf-16-le", "surrogatepass")


def name_hash(name):
    """The 16-bit name hash used by BinXML names (hash * 65599 + code unit)."""
    h = 0
    for (unit,) in struct.iter_unpack("<H", _utf16(name)):
        h = (h * 65599 + unit) & 0xFFFFFFFF
    return h & 0xFFFF


class Value:
    """A typed substitution value.

    ``vtype`` is a VT code (or a name from TYPE_NAMES); ``value`` the Python
    value: str, int, float, bool, bytes, uuid.UUID / GUID string, datetime
    (FILETIME/SYSTEMTIME), textual SID, a TemplateInstance (BinXml) or a list
    (arrays).  A ``None`` value is written as an empty (Null) value while the
    template keeps the declared type.
    """
    __slots__ = ("vtype", "value")

    def __init__(self, vtype, value):
        if isinstance(vtype, str):
            if vtype not in TYPE_NAMES:
                raise EvtxError("unknown value type %r" % (vtype,))
            vtype = TYPE_NAMES[vtype]
        self.vtype = vtype
        self.value = value

    def __repr__(self):
        return "Value(0x%02x, %r)" % (self.vtype, self.value)

    def encode_scalar(self, vtype, v):
        """Encode one (non-BinXml) value of the given scalar type."""
        if vtype == VT.NULL:
            return b""
        if vtype == VT.STRING:
            return _utf16(v)
        if vtype == VT.ANSI_STRING:
            return v if isinstance(v, bytes) else v.encode("cp1252")
        if vtype == VT.BINARY:
            return bytes(v)
        if vtype == VT.GUID:
            return _guid_bytes(v)
        if vtype == VT.SID:
            return sid_bytes(v)
        if vtype == VT.SYSTEMTIME:
            return _systemtime_bytes(v)
        if vtype == VT.FILETIME:
            return struct.pack("<Q", filetime(v))
        if vtype == VT.BOOL:
            return struct.pack("<I", 1 if v else 0)
        if vtype in _FIXED:
            return struct.pack(_FIXED[vtype], v)
        raise EvtxError("cannot encode value type 0x%02x" % vtype)

    @property
    def wire_type(self):
        """The type written in the value descriptor: Null for a None value
        (an empty value; the template keeps the declared type)."""
        return VT.NULL if self.value is None else self.vtype

    def encode(self):
        """Bytes of this value (everything except BinXml, which needs the
        chunk position and is emitted by the record encoder)."""
        if self.value is None:
            return b""
        base = self.vtype & 0x7F
        if self.vtype & VT.ARRAY:
            if base == VT.STRING:
                return b"".join(_utf16(s) + b"\0\0" for s in self.value)
            if base == VT.ANSI_STRING:
                return b"".join((s if isinstance(s, bytes) else s.encode("cp1252")) + b"\0"
                                for s in self.value)
            return b"".join(self.encode_scalar(base, v) for v in self.value)
        return self.encode_scalar(self.vtype, self.value)


def typed(type_name, value):
    """Shorthand: typed("UInt32", 5) == Value(VT.UINT32, 5)."""
    return Value(type_name, value)


def to_value(obj):
    """Map a Python object to a Value.

    str -> String, bool -> Bool, int -> UInt32 (UInt64 when large, Int64 when
    negative), float -> Real64, bytes -> Binary, uuid.UUID -> GUID,
    datetime -> FILETIME, list/tuple of str -> String array, None -> Null,
    TemplateInstance -> BinXml, ("TypeName", value) -> that type,
    Value -> itself.
    """
    if isinstance(obj, Value):
        return obj
    if obj is None:
        return Value(VT.NULL, None)
    if isinstance(obj, tuple) and len(obj) == 2 and isinstance(obj[0], str) \
            and obj[0] in TYPE_NAMES:
        return Value(obj[0], obj[1])      # ("UInt32", None) is an empty UInt32
    if isinstance(obj, bool):
        return Value(VT.BOOL, obj)
    if isinstance(obj, int):
        if obj < 0:
            return Value(VT.INT64, obj)
        return Value(VT.UINT32 if obj <= 0xFFFFFFFF else VT.UINT64, obj)
    if isinstance(obj, float):
        return Value(VT.REAL64, obj)
    if isinstance(obj, str):
        return Value(VT.STRING, obj)
    if isinstance(obj, (bytes, bytearray)):
        return Value(VT.BINARY, bytes(obj))
    if isinstance(obj, uuid.UUID):
        return Value(VT.GUID, obj)
    if isinstance(obj, _dt.datetime):
        return Value(VT.FILETIME, obj)
    if isinstance(obj, TemplateInstance):
        return Value(VT.BINXML, obj)
    if isinstance(obj, (list, tuple)) and all(isinstance(s, str) for s in obj):
        return Value(VT.STRING | VT.ARRAY, list(obj))
    raise EvtxError("cannot map %r to a BinXML value type" % (obj,))


# --------------------------------------------------------------------------
# BinXML node tree (used for template definitions and raw records)
# --------------------------------------------------------------------------

class Sub:
    """A substitution: NormalSubstitution (0x0d) or, with optional=True,
    OptionalSubstitution (0x0e) of value ``index`` declared with ``vtype``."""
    __slots__ = ("index", "vtype", "optional")

    def __init__(self, index, vtype, optional=False):
        self.index = index
        self.vtype = TYPE_NAMES[vtype] if isinstance(vtype, str) else vtype
        self.optional = optional


class CData:
    """A CDATA section (token 0x07)."""
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


class CharRef:
    """A character entity reference (token 0x08), e.g. CharRef(65) -> &#65;"""
    __slots__ = ("code",)

    def __init__(self, code):
        self.code = code


class EntityRef:
    """An entity reference (token 0x09), e.g. EntityRef("amp") -> &amp;"""
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name


class PI:
    """A processing instruction: PITarget (0x0a) + PIData (0x0b)."""
    __slots__ = ("target", "data")

    def __init__(self, target, data):
        self.target = target
        self.data = data


class Element:
    """An XML element.

    ``attrs``: list of (name, content) pairs, ``children``: list of content
    items.  Content items are str (a Value text token), Sub, CData, CharRef,
    EntityRef, PI or (children only) Element.  An attribute's content is a
    single item or a list of items.
    """
    __slots__ = ("name", "attrs", "children", "dep_id")

    def __init__(self, name, attrs=None, children=None, dep_id=NO_DEPENDENCY):
        self.name = name
        self.attrs = list(attrs or [])
        self.children = list(children or [])
        self.dep_id = dep_id


class Template:
    """A template definition: a root Element containing Sub nodes.

    ``guid`` identifies the template; if omitted it is derived from ``key``
    (any repr-able object) or, without a key, from the tree's structure, so
    the same template always gets the same GUID (deterministic output).
    """
    __slots__ = ("root", "guid", "key")

    def __init__(self, root, guid=None, key=None):
        self.root = root
        self.key = key
        if guid is None:
            seed = repr(key) if key is not None else _signature(root)
            guid = uuid.UUID(bytes=hashlib.md5(seed.encode("utf-8", "surrogatepass")).digest())
        elif not isinstance(guid, uuid.UUID):
            guid = uuid.UUID(str(guid).strip("{}"))
        self.guid = guid

    @property
    def template_id(self):
        """The 32-bit id stored in the instance: the GUID's first dword."""
        return struct.unpack_from("<I", self.guid.bytes_le)[0]


def _signature(item):
    """A deterministic text form of a node tree (for default template GUIDs)."""
    if isinstance(item, Element):
        attrs = ",".join("%s=%s" % (n, _signature(v)) for n, v in item.attrs)
        kids = ",".join(_signature(c) for c in item.children)
        return "<%s %d [%s] (%s)>" % (item.name, item.dep_id, attrs, kids)
    if isinstance(item, list):
        return "[" + ",".join(_signature(c) for c in item) + "]"
    if isinstance(item, Sub):
        return "%%%d:%d:%d" % (item.index, item.vtype, item.optional)
    if isinstance(item, str):
        return repr(item)
    fields = [getattr(item, f) for f in item.__slots__]
    return "%s%r" % (type(item).__name__, fields)


class TemplateInstance:
    """A template plus its substitution values (anything to_value accepts).
    Used for records and as a BinXml (0x21) value (e.g. UserData)."""
    __slots__ = ("template", "values")

    def __init__(self, template, values):
        self.template = template
        self.values = [to_value(v) for v in values]


# --------------------------------------------------------------------------
# Chunk-relative encoder
# --------------------------------------------------------------------------

class _ChunkTables:
    """Names and template definitions already present in a chunk."""

    def __init__(self):
        self.names = {}                 # name -> chunk offset of its name structure
        self.name_buckets = [0] * 64    # common string offset table
        self.templates = {}             # template GUID -> chunk offset of definition
        self.template_buckets = [0] * 32


class _Encoder:
    """Builds BinXML bytes that will be placed at chunk offset ``base``."""

    def __init__(self, tables, base):
        self.t = tables
        self.base = base
        self.buf = bytearray()

    # -- primitives ---------------------------------------------------------
    @property
    def pos(self):
        """Chunk offset of the next byte written."""
        return self.base + len(self.buf)

    def u8(self, v):
        self.buf += struct.pack("<B", v)

    def u16(self, v):
        self.buf += struct.pack("<H", v)

    def u32(self, v):
        self.buf += struct.pack("<I", v)

    def placeholder32(self):
        at = len(self.buf)
        self.buf += b"\0\0\0\0"
        return at

    def patch32(self, at, v):
        struct.pack_into("<I", self.buf, at, v)

    def ustr(self, text):
        """Unicode text string: u16 character count + UTF-16LE (no NUL)."""
        data = _utf16(text)
        if len(data) // 2 > 0xFFFF:
            raise EvtxError("string too long")
        self.u16(len(data) // 2)
        self.buf += data

    # -- names --------------------------------------------------------------
    def name_ref(self, name):
        """Name offset; the name itself follows inline on first use."""
        off = self.t.names.get(name)
        if off is not None:
            self.u32(off)
            return
        off = self.pos + 4
        self.u32(off)
        h = name_hash(name)
        bucket = h % 64
        data = _utf16(name)
        self.u32(self.t.name_buckets[bucket])     # chain to previous bucket head
        self.u16(h)
        self.u16(len(data) // 2)
        self.buf += data + b"\0\0"
        self.t.name_buckets[bucket] = off
        self.t.names[name] = off

    # -- content --------------------------------------------------------------
    def content(self, items):
        """Emit content items; the 0x40 "more data" flag is set on text-like
        tokens that are followed by further content."""
        items = [items] if not isinstance(items, list) else items
        for i, item in enumerate(items):
            more = 0x40 if i + 1 < len(items) else 0x00
            if isinstance(item, str):
                self.u8(0x05 | more)
                self.u8(VT.STRING)
                self.ustr(item)
            elif isinstance(item, Sub):
                self.u8(0x0E if item.optional else 0x0D)
                self.u16(item.index)
                self.u8(item.vtype)
            elif isinstance(item, Element):
                self.element(item)
            elif isinstance(item, CData):
                self.u8(0x07 | more)
                self.ustr(item.text)
            elif isinstance(item, CharRef):
                self.u8(0x08 | more)
                self.u16(item.code)
            elif isinstance(item, EntityRef):
                self.u8(0x09 | more)
                self.name_ref(item.name)
            elif isinstance(item, PI):
                self.u8(0x0A)
                self.name_ref(item.target)
                self.u8(0x0B)
                self.ustr(item.data)
            else:
                raise EvtxError("unsupported content item %r" % (item,))

    def element(self, el):
        start = len(self.buf)
        self.u8(0x41 if el.attrs else 0x01)
        self.u16(el.dep_id)
        size_at = self.placeholder32()
        self.name_ref(el.name)
        if el.attrs:
            list_at = self.placeholder32()
            for i, (aname, avalue) in enumerate(el.attrs):
                self.u8(0x46 if i + 1 < len(el.attrs) else 0x06)
                self.name_ref(aname)
                self.content(avalue)
            self.patch32(list_at, len(self.buf) - list_at - 4)
        if el.children:
            self.u8(0x02)            # close start element
            self.content(el.children)
            self.u8(0x04)            # end element
        else:
            self.u8(0x03)            # close empty element
        # data size: everything after the first 7 bytes (token, dep id, size)
        self.patch32(size_at, len(self.buf) - start - 7)

    # -- templates ------------------------------------------------------------
    def template_instance(self, inst):
        tpl = inst.template
        self.u8(0x0C)
        self.u8(0x01)
        self.u32(tpl.template_id)
        known = self.t.templates.get(tpl.guid)
        if known is not None:
            self.u32(known)
        else:
            def_off = self.pos + 4
            self.u32(def_off)
            bucket = tpl.template_id % 32
            self.u32(self.t.template_buckets[bucket])   # next definition in bucket
            self.buf += tpl.guid.bytes_le
            size_at = self.placeholder32()
            self.buf += b"\x0f\x01\x01\x00"
            self.element(tpl.root)
            self.u8(0x00)                                # EOF
            self.patch32(size_at, len(self.buf) - size_at - 4)
            self.t.templates[tpl.guid] = def_off
            self.t.template_buckets[bucket] = def_off
        # instance data: value count, descriptors, values
        self.u32(len(inst.values))
        desc_at = len(self.buf)
        self.buf += b"\0" * (4 * len(inst.values))
        for i, val in enumerate(inst.values):
            start = len(self.buf)
            if val.vtype == VT.BINXML and val.value is not None:
                if not isinstance(val.value, TemplateInstance):
                    # a bare element inside a BinXml value is written without
                    # dependency ids by Windows; only the (common) nested
                    # template instance form is supported here
                    raise EvtxError("a BinXml value must be a TemplateInstance")
                self.fragment(val.value, eof=True)
            else:
                self.buf += val.encode()
            size = len(self.buf) - start
            if size > 0xFFFF:
                raise EvtxError("substitution value %d too large (%d bytes)" % (i, size))
            struct.pack_into("<HBB", self.buf, desc_at + 4 * i, size, val.wire_type, 0)

    def fragment(self, body, eof=True):
        """Fragment header + template instance or element (+ EOF token)."""
        self.buf += b"\x0f\x01\x01\x00"
        if isinstance(body, TemplateInstance):
            self.template_instance(body)
        elif isinstance(body, Element):
            self.element(body)
        else:
            raise EvtxError("fragment body must be a TemplateInstance or Element")
        if eof:
            self.u8(0x00)


# --------------------------------------------------------------------------
# The standard Windows "System" template
# --------------------------------------------------------------------------

# Substitution indexes of the System section, in the order commonly seen in
# Windows-written records.
SYS_LEVEL, SYS_OPCODE, SYS_TASK, SYS_EVENT_ID, SYS_QUALIFIERS, SYS_KEYWORDS, \
    SYS_TIME, SYS_ACTIVITY, SYS_PID, SYS_TID, SYS_RECORD_ID, SYS_VERSION, \
    SYS_USER, SYS_RELATED, SYS_PROVIDER, SYS_PROVIDER_GUID, SYS_SOURCE = range(17)
SYS_COUNT = 17


def system_template(channel, computer, data_fields=(), user_data=False, key=None):
    """Build a Windows-like event template.

    ``<Event xmlns=...><System>...</System><EventData><Data Name=..>%n</Data>
    ...</EventData></Event>``; the System values are substitutions 0..16 (see
    the SYS_* constants), Channel and Computer are literal text as in
    Windows-written templates, and the EventData values are substitutions 17..
    ``data_fields`` is a list of (name, vtype).  With ``user_data=True`` the
    template ends with ``<UserData>%17</UserData>`` (a BinXml value) instead.
    """
    def opt(i, t):
        return Sub(i, t, optional=True)

    system = Element("System", children=[
        Element("Provider", attrs=[("Name", opt(SYS_PROVIDER, VT.STRING)),
                                   ("Guid", opt(SYS_PROVIDER_GUID, VT.GUID)),
                                   ("EventSourceName", opt(SYS_SOURCE, VT.STRING))]),
        Element("EventID", attrs=[("Qualifiers", opt(SYS_QUALIFIERS, VT.UINT16))],
                children=[opt(SYS_EVENT_ID, VT.UINT16)]),
        Element("Version", children=[opt(SYS_VERSION, VT.UINT8)]),
        Element("Level", children=[opt(SYS_LEVEL, VT.UINT8)]),
        Element("Task", children=[opt(SYS_TASK, VT.UINT16)]),
        Element("Opcode", children=[opt(SYS_OPCODE, VT.UINT8)]),
        Element("Keywords", children=[opt(SYS_KEYWORDS, VT.HEX_INT64)]),
        Element("TimeCreated", attrs=[("SystemTime", opt(SYS_TIME, VT.FILETIME))]),
        Element("EventRecordID", children=[opt(SYS_RECORD_ID, VT.UINT64)]),
        Element("Correlation", attrs=[("ActivityID", opt(SYS_ACTIVITY, VT.GUID)),
                                      ("RelatedActivityID", opt(SYS_RELATED, VT.GUID))]),
        Element("Execution", attrs=[("ProcessID", opt(SYS_PID, VT.UINT32)),
                                    ("ThreadID", opt(SYS_TID, VT.UINT32))]),
        Element("Channel", children=[channel] if channel else []),
        Element("Computer", children=[computer] if computer else []),
        Element("Security", attrs=[("UserID", opt(SYS_USER, VT.SID))]),
    ])
    if user_data:
        tail = Element("UserData", children=[opt(SYS_COUNT, VT.BINXML)])
    else:
        tail = Element("EventData", children=[
            Element("Data", attrs=[("Name", name)],
                    children=[Sub(SYS_COUNT + i, vtype)])
            for i, (name, vtype) in enumerate(data_fields)])
    root = Element("Event", attrs=[("xmlns", EVENT_NS)], children=[system, tail])
    return Template(root, key=key if key is not None
                    else ("system", channel, computer, tuple(data_fields), user_data))


# --------------------------------------------------------------------------
# Chunks and the file
# --------------------------------------------------------------------------

class _Chunk:
    def __init__(self):
        self.tables = _ChunkTables()
        self.data = bytearray(CHUNK_HEADER_SIZE)   # header filled at finalize
        self.records = []                           # (record id, chunk offset)

    @property
    def free(self):
        return len(self.data)

    def try_add(self, record_id, timestamp, body):
        """Encode and append a record; return False (chunk unchanged) if it
        does not fit.  ``body`` is called with an _Encoder to emit BinXML."""
        tables = copy.deepcopy(self.tables)
        enc = _Encoder(tables, self.free + 24)
        body(enc)
        size = 24 + len(enc.buf) + 4
        if self.free + size > CHUNK_SIZE:
            return False
        self.records.append((record_id, self.free))
        self.data += struct.pack("<IIQQ", RECORD_MAGIC, size, record_id, timestamp)
        self.data += enc.buf
        self.data += struct.pack("<I", size)
        self.tables = tables
        return True

    def finalize(self):
        """Return the 64 KiB chunk with its header, tables and CRCs."""
        out = bytearray(CHUNK_SIZE)
        out[:len(self.data)] = self.data
        first_id, last_id = self.records[0][0], self.records[-1][0]
        struct.pack_into("<8sQQQQIII", out, 0, b"ElfChnk\0", first_id, last_id,
                         first_id, last_id, 128, self.records[-1][1], self.free)
        struct.pack_into("<64I", out, 128, *self.tables.name_buckets)
        struct.pack_into("<32I", out, 384, *self.tables.template_buckets)
        struct.pack_into("<I", out, 52, zlib.crc32(out[CHUNK_HEADER_SIZE:self.free]))
        struct.pack_into("<I", out, 124, zlib.crc32(bytes(out[:120]) + bytes(out[128:512])))
        return out


def _ticks(when):
    if when is None:
        raise EvtxError("a time is required")
    return filetime(when)


class EvtxWriter:
    """Collects event records and writes an EVTX file.

    Typical use::

        w = EvtxWriter()
        w.add_event("Microsoft-Windows-Security-Auditing", SEC_GUID, 4624, ...)
        w.write("Security.evtx")

    Record identifiers are assigned automatically (starting at
    ``first_record_id``) unless given explicitly.
    """

    def __init__(self, first_record_id=1):
        self.chunks = []
        self.next_record_id = first_record_id
        self._templates = {}      # add_event template cache: key -> Template

    # -- records --------------------------------------------------------------
    def _append(self, record_id, when, body):
        if record_id is None:
            record_id = self.next_record_id
        ticks = _ticks(when)
        if not self.chunks or not self.chunks[-1].try_add(record_id, ticks, body):
            chunk = _Chunk()
            if not chunk.try_add(record_id, ticks, body):
                raise EvtxError("record %d does not fit in an empty chunk" % record_id)
            self.chunks.append(chunk)
        self.next_record_id = max(self.next_record_id, record_id + 1)
        return record_id

    def new_chunk(self):
        """Force the next record into a new chunk (no-op on an empty file)."""
        if self.chunks and self.chunks[-1].records:
            self.chunks.append(_Chunk())

    def add_template_record(self, template, values, time, record_id=None):
        """Append a record made of one template instance.  Returns its id."""
        inst = TemplateInstance(template, values)

        def body(enc):
            enc.fragment(inst, eof=True)
        return self._append(record_id, time, body)

    def add_raw_record(self, root, time, record_id=None):
        """Append a record whose BinXML is a plain element tree (no template):
        fragment header, ``root`` (an Element), EOF.  Use it to exercise Value,
        CDATA, CharRef, EntityRef and PI tokens outside templates."""
        def body(enc):
            enc.fragment(root, eof=True)
        return self._append(record_id, time, body)

    def add_event(self, provider_name, provider_guid=None, event_id=0, level=4,
                  task=0, opcode=0, keywords=0, time=None, record_id=None,
                  process_id=0, thread_id=0, channel="", computer="",
                  user_sid=None, event_data=(), version=0, qualifiers=None,
                  activity_id=None, related_activity_id=None,
                  event_source_name=None, user_data=None):
        """Append a Windows event with the standard System section.

        ``event_data`` is a dict or a list of (name, value) pairs; values go
        through to_value(), so ``("ProcessId", ("UInt32", 1234))`` forces a
        type.  ``user_data`` (a TemplateInstance) replaces
        EventData by ``<UserData>`` holding a BinXml value.  ``time`` is a
        datetime (UTC) or FILETIME int; it is used for TimeCreated and the
        record's written time.  Records with the same provider, event id,
        channel, computer and field (name, type) list share one template per
        chunk.  Returns the record id.
        """
        if record_id is None:
            record_id = self.next_record_id
        items = list(event_data.items()) if isinstance(event_data, dict) else list(event_data)
        # an untyped None becomes an empty string (a typed ("UInt32", None)
        # stays a Null value, which some readers reject under a normal
        # substitution)
        fields = [(name, to_value("" if v is None else v)) for name, v in items]
        sig = tuple((name, v.vtype) for name, v in fields)
        key = ("event", provider_name, event_id, channel, computer, sig,
               user_data is not None)
        tpl = self._templates.get(key)
        if tpl is None:
            tpl = system_template(channel, computer, sig, user_data is not None, key=key)
            self._templates[key] = tpl

        def opt(vtype, v):
            return Value(VT.NULL, None) if v is None else Value(vtype, v)

        sysvals = [None] * SYS_COUNT
        sysvals[SYS_LEVEL] = Value(VT.UINT8, level)
        sysvals[SYS_OPCODE] = Value(VT.UINT8, opcode)
        sysvals[SYS_TASK] = Value(VT.UINT16, task)
        sysvals[SYS_EVENT_ID] = Value(VT.UINT16, event_id)
        sysvals[SYS_QUALIFIERS] = opt(VT.UINT16, qualifiers)
        sysvals[SYS_KEYWORDS] = Value(VT.HEX_INT64, keywords)
        sysvals[SYS_TIME] = Value(VT.FILETIME, _ticks(time))
        sysvals[SYS_ACTIVITY] = opt(VT.GUID, activity_id)
        sysvals[SYS_PID] = Value(VT.UINT32, process_id)
        sysvals[SYS_TID] = Value(VT.UINT32, thread_id)
        sysvals[SYS_RECORD_ID] = Value(VT.UINT64, record_id)
        sysvals[SYS_VERSION] = Value(VT.UINT8, version)
        sysvals[SYS_USER] = opt(VT.SID, user_sid)
        sysvals[SYS_RELATED] = opt(VT.GUID, related_activity_id)
        sysvals[SYS_PROVIDER] = Value(VT.STRING, provider_name)
        sysvals[SYS_PROVIDER_GUID] = opt(VT.GUID, provider_guid)
        sysvals[SYS_SOURCE] = opt(VT.STRING, event_source_name)
        if user_data is not None:
            tail = [Value(VT.BINXML, user_data)]
        else:
            tail = [v for _, v in fields]
        return self.add_template_record(tpl, sysvals + tail, time, record_id)

    # -- output ---------------------------------------------------------------
    @property
    def record_count(self):
        return sum(len(c.records) for c in self.chunks)

    def to_bytes(self, header_chunk_count=None, dirty=False, full=False,
                 corrupt_crc=(), corrupt_header_crc=(), zero_chunks=(),
                 truncate_at=None):
        """Serialize the file.  Damage options for parser tests:

        ``header_chunk_count``  write this chunk count in the file header
                                (the last chunk number follows it)
        ``dirty`` / ``full``    set file flag 0x1 / 0x2
        ``corrupt_crc``         chunk indexes whose record-data CRC (offset 52)
                                is made wrong (the header CRC is kept valid)
        ``corrupt_header_crc``  chunk indexes whose header CRC (offset 124) is
                                made wrong
        ``zero_chunks``         chunk indexes overwritten with zero bytes
        ``truncate_at``         cut the file to this many bytes
        """
        chunks = [c.finalize() for c in self.chunks if c.records]
        count = len(chunks) if header_chunk_count is None else header_chunk_count
        last_id = max((c.records[-1][0] for c in self.chunks), default=0)
        header = bytearray(FILE_HEADER_BLOCK)
        flags = (0x1 if dirty else 0) | (0x2 if full else 0)
        struct.pack_into("<8sQQQIHHHH", header, 0, b"ElfFile\0", 0, max(count - 1, 0),
                         last_id + 1, 128, 1, 3, FILE_HEADER_BLOCK, count)
        struct.pack_into("<I", header, 120, flags)
        struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120])))
        for i in corrupt_crc:
            # wrong record-data CRC; the header CRC is recomputed so that it
            # stays valid and only the data CRC check fails
            struct.pack_into("<I", chunks[i], 52,
                             struct.unpack_from("<I", chunks[i], 52)[0] ^ 0xDEADBEEF)
            struct.pack_into("<I", chunks[i], 124,
                             zlib.crc32(bytes(chunks[i][:120]) + bytes(chunks[i][128:512])))
        for i in corrupt_header_crc:
            struct.pack_into("<I", chunks[i], 124,
                             struct.unpack_from("<I", chunks[i], 124)[0] ^ 0xDEADBEEF)
        for i in zero_chunks:
            chunks[i][:] = bytes(CHUNK_SIZE)
        out = bytes(header) + b"".join(bytes(c) for c in chunks)
        if truncate_at is not None:
            out = out[:truncate_at]
        return out

    def record_offsets(self):
        """(record id, absolute file offset, size) of every record, in order;
        handy for choosing a truncation point."""
        result = []
        for ci, chunk in enumerate(c for c in self.chunks if c.records):
            base = FILE_HEADER_BLOCK + ci * CHUNK_SIZE
            for rid, off in chunk.records:
                size = struct.unpack_from("<I", chunk.data, off + 4)[0]
                result.append((rid, base + off, size))
        return result

    def write(self, path, **damage):
        """Write the file (see to_bytes for the damage options)."""
        data = self.to_bytes(**damage)
        with open(path, "wb") as fh:
            fh.write(data)
        return len(data)
