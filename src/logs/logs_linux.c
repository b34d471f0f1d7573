/*
 * logs_linux.c — Linux syslog lines (auth.log, secure, messages) and auditd
 * records as Sigma `product: linux` events.
 *
 * Syslog: "Mmm dd HH:MM:SS host program[pid]: message" (BSD; the year comes
 * from the state's reference time, see sp_logstate_set_ref_time), RFC 3339
 * stamps as rsyslog writes them ("2024-05-01T10:11:12.123456+02:00 host
 * ..."), and RFC 5424 ("<pri>1 stamp host app procid msgid sd msg").
 * Fields: host, program, pid, message; for sshd, sudo, su, useradd the
 * details cheap to read: user, src_ip, src_port, auth_method, outcome
 * ("accepted"/"failed"), tty, pwd, target_user, command, uid, gid, home,
 * shell.  service: the program's Sigma service when the taxonomy has one
 * (sshd, sudo, cron, vsftpd, clamav, guacamole), else "auth" (or "syslog" for
 * files named syslog*, messages*, kern*, daemon*).
 *
 * auditd: "[node=N ]type=T msg=audit(SEC.MS:SERIAL): key=value ...": every
 * key becomes a field; quoted values lose their quotes; hex-encoded values of
 * the keys that the kernel encodes (exe, comm, cwd, name, proctitle, cmd,
 * acct, key, EXECVE arguments, ...) are decoded as `ausearch -i` does
 * (proctitle's NULs become spaces; multiple keys split at \x01); EXECVE
 * arguments split as aN[i] are joined into aN; the inner msg='...' of user
 * space records is read as key=value pairs; enriched fields after \x1d
 * (ARCH, SYSCALL, AUID, ...) are read too, and for x86_64 SYSCALL records
 * without them the syscall number is named (SYSCALL=execve).  Records of one
 * event (same serial) stay separate events.
 */
#include <stdio.h>
#include <string.h>

#include "logs/logs.h"
#include "base/civil.h"
#include "base/limits.h"

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* ------------------------------------------------------------ syslog */

/* time stamp at l[0..n): returns its length, 0 if none; *zoned tells whether it carried a zone */
static size_t syslog_time(const sp_logstate *st, const char *l, size_t n, int64_t *ms)
{
    int mo, d, H, M, S;
    if (n >= 15 && (mo = lg_month(l)) && l[3] == ' ' && (l[4] == ' ' || is_digit(l[4])) && is_digit(l[5]) &&
        l[6] == ' ' && !lg_digits(l, n, 7, 2, &H) && l[9] == ':' && !lg_digits(l, n, 10, 2, &M) && l[12] == ':' &&
        !lg_digits(l, n, 13, 2, &S)) {
        d = (l[4] == ' ' ? 0 : (l[4] - '0') * 10) + (l[5] - '0');
        if (d < 1 || d > 31 || H > 23 || M > 59 || S > 60) return 0;
        size_t p = 15;
        int64_t frac = 0;
        if (p < n && l[p] == '.') {
            int k = 0;
            for (p++; p < n && is_digit(l[p]); p++, k++)
                if (k < 3) frac = frac * 10 + (l[p] - '0');
            for (; k < 3; k++) frac *= 10;
        }
        /* the year that puts the stamp at or before the reference (+1 day) */
        int y;
        {
            char b[16];
            lg_fmt_date(st->ref_ms, b);
            y = (b[0] - '0') * 1000 + (b[1] - '0') * 100 + (b[2] - '0') * 10 + (b[3] - '0');
        }
        int64_t off = (int64_t)st->tz_min * 60000;
        int64_t t = (sp_days_from_civil(y, mo, d) * 86400 + H * 3600 + M * 60 + S) * 1000 + frac - off;
        if (t > st->ref_ms + 86400000) t = (sp_days_from_civil(y - 1, mo, d) * 86400 + H * 3600 + M * 60 + S) * 1000 + frac - off;
        *ms = t;
        return p;
    }
    if (n >= 19 && is_digit(l[0]) && is_digit(l[3]) && l[4] == '-' && l[7] == '-' && (l[10] == 'T' || l[10] == ' ')) {
        size_t p = 11;
        while (p < n && l[p] != ' ') p++;
        if (sp_parse_iso_ms(l, p, ms)) return 0;
        /* no zone: local time of the host */
        int zoned = l[p - 1] == 'Z' || l[p - 1] == 'z';
        for (size_t i = 19; i < p && !zoned; i++) zoned = l[i] == '+' || l[i] == '-';
        if (!zoned) *ms -= (int64_t)st->tz_min * 60000;
        return p;
    }
    return 0;
}

int lg_syslog_probe(const char *l, size_t n)
{
    sp_logstate st;
    memset(&st, 0, sizeof st);
    st.ref_ms = 0;
    int64_t ms;
    size_t p = 0;
    if (p < n && l[p] == '<') {
        while (p < n && l[p] != '>') p++;
        p++;
        if (p + 1 < n && l[p] == '1' && l[p + 1] == ' ') p += 2;
    }
    if (p >= n) return 0;
    size_t t = syslog_time(&st, l + p, n - p, &ms);
    if (!t || p + t >= n || l[p + t] != ' ') return 0;
    return 1;
}

static const char *tok(const char *l, size_t n, size_t *p, size_t *len)
{
    while (*p < n && l[*p] == ' ') (*p)++;
    size_t s = *p;
    while (*p < n && l[*p] != ' ') (*p)++;
    *len = *p - s;
    return l + s;
}

static int eqs(const char *p, size_t n, const char *s) { return strlen(s) == n && !memcmp(p, s, n); }

static const char *service_of(const char *p, size_t n, const char *def)
{
    if (eqs(p, n, "sshd") || (n > 5 && !memcmp(p, "sshd-", 5))) return "sshd";
    if (eqs(p, n, "sudo")) return "sudo";
    if (eqs(p, n, "CRON") || eqs(p, n, "cron") || eqs(p, n, "crond") || eqs(p, n, "anacron")) return "cron";
    if (eqs(p, n, "vsftpd")) return "vsftpd";
    if (eqs(p, n, "clamd") || eqs(p, n, "freshclam") || eqs(p, n, "clamav")) return "clamav";
    if (eqs(p, n, "guacd") || eqs(p, n, "guacamole")) return "guacamole";
    return def;
}

/* the word after `key` in m (up to a space, ';' or ','), or NULL */
static const char *word_after(const char *m, size_t n, const char *key, size_t *wl)
{
    size_t kl = strlen(key);
    const char *k = memmem(m, n, key, kl);
    if (!k) return NULL;
    const char *s = k + kl, *e = m + n;
    while (s < e && *s == ' ') s++;
    const char *w = s;
    while (w < e && *w != ' ' && *w != ';' && *w != ',') w++;
    *wl = (size_t)(w - s);
    return *wl ? s : NULL;
}

static int add_word(sp_logevent *ev, sp_arena *a, const char *name, const char *m, size_t n, const char *key)
{
    size_t wl;
    const char *w = word_after(m, n, key, &wl);
    return w ? lg_adds(ev, a, name, w, wl) : 0;
}

/* sshd: Accepted/Failed <method> for [invalid user ]<user> from <ip> port <port> */
static int sshd_details(sp_logevent *ev, sp_arena *a, const char *m, size_t n)
{
    int acc = n > 9 && !memcmp(m, "Accepted ", 9), fail = n > 7 && !memcmp(m, "Failed ", 7);
    if (acc || fail) {
        size_t p = acc ? 9 : 7, ml;
        const char *meth = tok(m, n, &p, &ml);
        if (lg_adds(ev, a, "auth_method", meth, ml) || lg_adds(ev, a, "outcome", acc ? "accepted" : "failed", acc ? 8 : 6))
            return -1;
        size_t ul;
        const char *u = word_after(m, n, " for invalid user ", &ul);
        if (!u) u = word_after(m, n, " for ", &ul);
        if (u && lg_adds(ev, a, "user", u, ul)) return -1;
    } else if (n > 13 && !memcmp(m, "Invalid user ", 13)) {
        size_t p = 13, ul;
        const char *u = tok(m, n, &p, &ul);
        if (ul && !eqs(u, ul, "from") && lg_adds(ev, a, "user", u, ul)) return -1;
    } else if (memmem(m, n, "authentication failure", 22)) {
        if (lg_adds(ev, a, "outcome", "failed", 6) || add_word(ev, a, "src_ip", m, n, "rhost=") ||
            add_word(ev, a, "user", m, n, " user="))
            return -1;
        return 0;
    } else if (memmem(m, n, "session opened for user ", 24)) {
        return add_word(ev, a, "user", m, n, "session opened for user ");
    } else if (memmem(m, n, " user ", 6) && (memmem(m, n, "Connection closed by", 20) || memmem(m, n, "Disconnected from", 17))) {
        if (add_word(ev, a, "user", m, n, " user ")) return -1;
    }
    size_t ipl;
    const char *ip = word_after(m, n, " from ", &ipl);
    if (!ip) {
        /* "Connection closed by [authenticating user X ]IP port N" */
        const char *pt = memmem(m, n, " port ", 6);
        if (pt) {
            const char *s = pt;
            while (s > m && s[-1] != ' ') s--;
            if (s < pt) ip = s, ipl = (size_t)(pt - s);
        }
    }
    if (ip && (is_digit(ip[0]) || memchr(ip, ':', ipl)) && lg_adds(ev, a, "src_ip", ip, ipl)) return -1;
    return add_word(ev, a, "src_port", m, n, " port ");
}

/* sudo: "  bob : TTY=pts/0 ; PWD=/home/bob ; USER=root ; COMMAND=/usr/bin/id" */
static int sudo_details(sp_logevent *ev, sp_arena *a, const char *m, size_t n)
{
    size_t p = 0, ul;
    const char *u = tok(m, n, &p, &ul);
    size_t q = p;
    while (q < n && m[q] == ' ') q++;
    if (ul && q < n && m[q] == ':' && lg_adds(ev, a, "user", u, ul)) return -1;
    if (add_word(ev, a, "tty", m, n, "TTY=") || add_word(ev, a, "pwd", m, n, "PWD=") ||
        add_word(ev, a, "target_user", m, n, "USER="))
        return -1;
    const char *c = memmem(m, n, "COMMAND=", 8);
    if (c && lg_adds(ev, a, "command", c + 8, (size_t)(m + n - c - 8))) return -1;
    return 0;
}

int lg_syslog_line(sp_logstate *st, const char *l, size_t n, sp_arena *a, sp_logevent *ev, char *err, size_t cap)
{
    ev->product = "linux";
    size_t p = 0;
    int v5424 = 0;
    if (l[0] == '<') {
        while (p < n && l[p] != '>') p++;
        if (p >= n) return lg_err(err, cap, "offset 0: unterminated <priority>");
        p++;
        if (p + 1 < n && l[p] == '1' && l[p + 1] == ' ') p += 2, v5424 = 1;
    }
    int64_t ms;
    size_t t = syslog_time(st, l + p, n - p, &ms);
    if (!t) return lg_err(err, cap, "offset %zu: no syslog time stamp (\"Mmm dd hh:mm:ss\" or RFC 3339)", p);
    ev->time_ms = ms;
    p += t;
    size_t hl;
    const char *h = tok(l, n, &p, &hl);
    if (!hl) return lg_err(err, cap, "offset %zu: no host name", p);
    if (lg_adds(ev, a, "host", h, hl)) return -1;
    while (p < n && l[p] == ' ') p++;
    const char *prog = NULL, *pid = NULL;
    size_t pl = 0, pidl = 0;
    if (v5424) {
        size_t ml;
        prog = tok(l, n, &p, &pl);
        pid = tok(l, n, &p, &pidl);
        tok(l, n, &p, &ml);   /* msgid */
        while (p < n && l[p] == ' ') p++;
        if (p < n && l[p] == '[') {          /* structured data */
            while (p < n && !(l[p] == ']' && (p + 1 == n || l[p + 1] == ' '))) p++;
            if (p < n) p++;
        } else {
            tok(l, n, &p, &ml);
        }
        if (pl == 1 && prog[0] == '-') prog = NULL, pl = 0;
        if (pidl == 1 && pid[0] == '-') pid = NULL, pidl = 0;
        if (p < n) p++;
    } else {
        size_t s = p;
        while (p < n && l[p] != ':' && l[p] != '[' && l[p] != ' ') p++;
        if (p < n && l[p] == '[') {
            size_t b = p + 1, e = b;
            while (e < n && l[e] != ']') e++;
            if (e < n && e + 1 < n && l[e + 1] == ':') {
                prog = l + s, pl = p - s, pid = l + b, pidl = e - b;
                p = e + 2;
            } else {
                p = s;
            }
        } else if (p < n && l[p] == ':' && p > s) {
            prog = l + s, pl = p - s;
            p++;
        } else {
            p = s;
        }
        if (p < n && l[p] == ' ') p++;
    }
    if (prog && lg_adds(ev, a, "program", prog, pl)) return -1;
    if (pid && lg_adds(ev, a, "pid", pid, pidl)) return -1;
    const char *m = l + p;
    size_t ml = n - p;
    if (lg_adds(ev, a, "message", m, ml)) return -1;
    ev->service = service_of(prog ? prog : "", pl, st->def_service);
    if (!prog) return 1;
    if (!strcmp(ev->service, "sshd")) return sshd_details(ev, a, m, ml) ? -1 : 1;
    if (!strcmp(ev->service, "sudo")) return sudo_details(ev, a, m, ml) ? -1 : 1;
    if (eqs(prog, pl, "useradd") && ml > 10 && !memcmp(m, "new user: ", 10)) {
        if (add_word(ev, a, "user", m, ml, "name=") || add_word(ev, a, "uid", m, ml, "UID=") ||
            add_word(ev, a, "gid", m, ml, "GID=") || add_word(ev, a, "home", m, ml, "home=") ||
            add_word(ev, a, "shell", m, ml, "shell="))
            return -1;
    } else if (eqs(prog, pl, "su")) {
        if (memmem(m, ml, "Successful su for ", 18) || memmem(m, ml, "FAILED su for ", 14)) {
            int ok = m[0] == 'S';
            if (add_word(ev, a, "target_user", m, ml, "su for ") || add_word(ev, a, "user", m, ml, " by ") ||
                lg_adds(ev, a, "outcome", ok ? "accepted" : "failed", ok ? 8 : 6))
                return -1;
        }
    }
    return 1;
}

/* ------------------------------------------------------------ auditd */

int lg_audit_probe(const char *l, size_t n)
{
    size_t p = 0;
    if (n > 5 && !memcmp(l, "node=", 5)) {
        while (p < n && l[p] != ' ') p++;
        while (p < n && l[p] == ' ') p++;
    }
    if (n - p < 6 || memcmp(l + p, "type=", 5)) return 0;
    p += 5;
    size_t s = p;
    while (p < n && ((l[p] >= 'A' && l[p] <= 'Z') || is_digit(l[p]) || l[p] == '_')) p++;
    return p > s && n - p > 11 && !memcmp(l + p, " msg=audit(", 11);
}

typedef struct atok {
    const char *k, *v;
    uint32_t kl, vl;
    uint8_t quoted;    /* 1 '"', 2 '\'' */
} atok;

static int is_sep(char c) { return c == ' ' || c == '\x1d' || c == '\t'; }

/* split key=value tokens; tokens without '=' are skipped (AVC text) */
static int atokenize(const char *l, size_t n, atok *t, uint32_t *nt, uint32_t max)
{
    size_t p = 0;
    while (p < n) {
        while (p < n && is_sep(l[p])) p++;
        if (p >= n) break;
        size_t s = p;
        while (p < n && !is_sep(l[p]) && l[p] != '=') p++;
        if (p >= n || l[p] != '=') {
            while (p < n && !is_sep(l[p])) p++;
            continue;
        }
        size_t ke = p++;
        atok x;
        x.k = l + s;
        x.kl = (uint32_t)(ke - s);
        x.quoted = 0;
        if (p < n && (l[p] == '"' || l[p] == '\'')) {
            char q = l[p];
            const char *e = memchr(l + p + 1, q, n - p - 1);
            size_t ve = e ? (size_t)(e - l) : n;
            x.v = l + p + 1;
            x.vl = (uint32_t)(ve - p - 1);
            x.quoted = q == '"' ? 1 : 2;
            p = e ? ve + 1 : n;
        } else {
            size_t vs = p;
            while (p < n && !is_sep(l[p])) p++;
            x.v = l + vs;
            x.vl = (uint32_t)(p - vs);
        }
        if (*nt >= max) return -1;
        t[(*nt)++] = x;
    }
    return 0;
}

static int hexv(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int all_hex(const char *v, size_t n)
{
    if (n < 2 || n % 2) return 0;
    for (size_t i = 0; i < n; i++)
        if (hexv(v[i]) < 0) return 0;
    return 1;
}

static int encoded_key(const char *k, size_t n, int execve)
{
    static const char *const keys[] = {"exe", "comm", "ocomm", "cwd", "name", "proctitle", "cmd", "path", "key",
                                       "data", "acct", "dir", "file", "watch", "old-chardev", "new-chardev", "grp",
                                       "new_group", "old-disk", "new-disk", "root_dir", NULL};
    for (int i = 0; keys[i]; i++)
        if (eqs(k, n, keys[i])) return 1;
    if (execve && n >= 2 && k[0] == 'a' && is_digit(k[1])) {
        size_t i = 1;
        while (i < n && is_digit(k[i])) i++;
        return i == n || k[i] == '[';
    }
    return 0;
}

/* decode hex pairs of v into d (n/2 bytes) */
static void unhex(const char *v, size_t n, char *d)
{
    for (size_t i = 0; i + 1 < n; i += 2) d[i / 2] = (char)(hexv(v[i]) * 16 + hexv(v[i + 1]));
}

static const struct { int nr; const char *name; } x64_sys[] = {
    {0, "read"}, {1, "write"}, {2, "open"}, {3, "close"}, {4, "stat"}, {9, "mmap"}, {10, "mprotect"},
    {16, "ioctl"}, {21, "access"}, {22, "pipe"}, {33, "dup2"}, {41, "socket"}, {42, "connect"}, {43, "accept"},
    {44, "sendto"}, {45, "recvfrom"}, {49, "bind"}, {50, "listen"}, {56, "clone"}, {57, "fork"}, {58, "vfork"},
    {59, "execve"}, {60, "exit"}, {62, "kill"}, {63, "uname"}, {76, "truncate"}, {77, "ftruncate"},
    {82, "rename"}, {83, "mkdir"}, {84, "rmdir"}, {85, "creat"}, {86, "link"}, {87, "unlink"}, {88, "symlink"},
    {90, "chmod"}, {91, "fchmod"}, {92, "chown"}, {93, "fchown"}, {94, "lchown"}, {101, "ptrace"},
    {105, "setuid"}, {106, "setgid"}, {113, "setreuid"}, {114, "setregid"}, {117, "setresuid"},
    {119, "setresgid"}, {133, "mknod"}, {157, "prctl"}, {161, "chroot"}, {165, "mount"}, {166, "umount2"},
    {169, "reboot"}, {170, "sethostname"}, {175, "init_module"}, {176, "delete_module"}, {246, "kexec_load"},
    {257, "openat"}, {258, "mkdirat"}, {259, "mknodat"}, {260, "fchownat"}, {263, "unlinkat"},
    {264, "renameat"}, {265, "linkat"}, {266, "symlinkat"}, {268, "fchmodat"}, {288, "accept4"},
    {313, "finit_module"}, {316, "renameat2"}, {319, "memfd_create"}, {320, "kexec_file_load"}, {321, "bpf"},
    {322, "execveat"},
};

static int audit_fields(sp_logevent *ev, sp_arena *a, const char *l, size_t n, int depth, int *execve,
                        const char **arch, size_t *archl, const char **sysno, size_t *sysnol, int *has_sys,
                        char *err, size_t cap)
{
    uint32_t max = SP_LOG_MAX_FIELDS, nt = 0;
    atok *t = sp_arena_alloc(a, (n / 2 + 1 < max ? n / 2 + 1 : max) * sizeof *t);
    if (!t) return -1;
    if (n / 2 + 1 < max) max = (uint32_t)(n / 2 + 1);
    if (atokenize(l, n, t, &nt, max)) return lg_err(err, cap, "more than %u key=value pairs", SP_LOG_MAX_FIELDS);
    for (uint32_t i = 0; i < nt; i++) {
        atok *x = &t[i];
        if (eqs(x->k, x->kl, "msg") && x->vl > 6 && !memcmp(x->v, "audit(", 6)) {
            /* audit(SEC.MS:SERIAL): */
            const char *s = x->v + 6, *e = x->v + x->vl;
            int64_t sec = 0, ms = 0;
            const char *q = s;
            while (q < e && is_digit(*q) && q - s < 15) sec = sec * 10 + (*q++ - '0');
            if (q == s || q >= e || *q != '.') return lg_err(err, cap, "offset %zu: bad audit(time:serial)", (size_t)(x->v - ev->line));
            q++;
            int k = 0;
            for (; q < e && is_digit(*q); q++, k++)
                if (k < 3) ms = ms * 10 + (*q - '0');
            for (; k < 3; k++) ms *= 10;
            if (q >= e || *q != ':') return lg_err(err, cap, "offset %zu: bad audit(time:serial)", (size_t)(x->v - ev->line));
            const char *ss = ++q;
            while (q < e && is_digit(*q)) q++;
            ev->time_ms = sec * 1000 + ms;
            if (lg_adds(ev, a, "serial", ss, (size_t)(q - ss))) return -1;
            continue;
        }
        if (x->quoted == 2 && depth == 0 && eqs(x->k, x->kl, "msg")) {
            /* user space record: msg='op=... acct="x" exe=... res=success' */
            const char *eq = memchr(x->v, '=', x->vl);
            if (eq) {
                if (audit_fields(ev, a, x->v, x->vl, 1, execve, arch, archl, sysno, sysnol, has_sys, err, cap)) return -1;
                continue;
            }
        }
        if (eqs(x->k, x->kl, "type") && eqs(x->v, x->vl, "EXECVE")) *execve = 1;
        if (eqs(x->k, x->kl, "arch")) *arch = x->v, *archl = x->vl;
        if (eqs(x->k, x->kl, "syscall")) *sysno = x->v, *sysnol = x->vl;
        if (eqs(x->k, x->kl, "SYSCALL")) *has_sys = 1;
        const char *v = x->v;
        size_t vl = x->vl;
        if (!x->quoted && eqs(v, vl, "(null)")) {
            if (lg_add(ev, a, x->k, x->kl, "", 0, 1)) return -1;
            continue;
        }
        if (!x->quoted && encoded_key(x->k, x->kl, *execve) && all_hex(v, vl)) {
            /* aN[0], aN[1], ...: one argument split over several fields */
            const char *br = memchr(x->k, '[', x->kl);
            size_t base = br ? (size_t)(br - x->k) : x->kl, total = vl;
            uint32_t j = i + 1;
            if (br)
                for (; j < nt && t[j].kl > base && !memcmp(t[j].k, x->k, base) && t[j].k[base] == '[' &&
                       !t[j].quoted && all_hex(t[j].v, t[j].vl); j++)
                    total += t[j].vl;
            char *d = sp_arena_alloc(a, total / 2 + 1);
            if (!d) return -1;
            size_t dl = 0;
            for (uint32_t m = i; m < (br ? j : i + 1); m++) {
                unhex(t[m].v, t[m].vl, d + dl);
                dl += t[m].vl / 2;
            }
            if (br) i = j - 1;
            if (eqs(x->k, base, "proctitle")) {
                for (size_t m = 0; m < dl; m++) if (!d[m]) d[m] = ' ';
                while (dl && d[dl - 1] == ' ') dl--;
            }
            if (eqs(x->k, base, "key") && memchr(d, 1, dl)) {
                size_t b = 0;
                for (size_t m = 0; m <= dl; m++)
                    if (m == dl || d[m] == 1) {
                        if (lg_add(ev, a, x->k, base, d + b, m - b, 0)) return -1;
                        b = m + 1;
                    }
                continue;
            }
            if (lg_add(ev, a, x->k, base, d, dl, 0)) return -1;
            continue;
        }
        if (lg_add(ev, a, x->k, x->kl, v, vl, 0)) return -1;
    }
    return 0;
}

int lg_audit_line(sp_logstate *st, const char *l, size_t n, sp_arena *a, sp_logevent *ev, char *err, size_t cap)
{
    (void)st;
    ev->product = "linux";
    ev->service = "auditd";
    if (!lg_audit_probe(l, n)) return lg_err(err, cap, "offset 0: not an audit record (\"type=T msg=audit(...)\")");
    int execve = 0, has_sys = 0;
    const char *arch = NULL, *sysno = NULL;
    size_t archl = 0, sysnol = 0;
    if (audit_fields(ev, a, l, n, 0, &execve, &arch, &archl, &sysno, &sysnol, &has_sys, err, cap)) return -1;
    if (!has_sys && sysno && arch && eqs(arch, archl, "c000003e")) {
        int nr = 0, ok = sysnol > 0 && sysnol < 5;
        for (size_t i = 0; i < sysnol && ok; i++) ok = is_digit(sysno[i]), nr = nr * 10 + (sysno[i] - '0');
        for (size_t i = 0; ok && i < sizeof x64_sys / sizeof *x64_sys; i++)
            if (x64_sys[i].nr == nr) {
                if (lg_adds(ev, a, "SYSCALL", x64_sys[i].name, strlen(x64_sys[i].name))) return -1;
                break;
            }
    }
    return 1;
}
