/*
 * hunt_container.c — evidence inside containers: .gz, .zst, .zip (every
 * member), and those nested in each other (bounded depth), read with
 * libarchive (Debian's libarchive; one library for every container format).
 *
 * Each member becomes its own input ("outer.zip:inner/file.json"), sniffed
 * by content like a plain file.  JSON lines are streamed straight out of the
 * archive through a stdio cookie (fopencookie), so a large member never sits
 * in memory; an EVTX member needs random access: it is read into memory when
 * small, spooled to an unlinked temporary file when large.
 *
 * libarchive is loaded with dlopen() on the first container, not linked:
 * with its dependencies (libxml2, ICU, libstdc++, nettle, ...) it cost every
 * spoor process 1.3 ms of dynamic loading before main() (2.3 ms against
 * 1.1 ms without it, `perf stat -r 200` on an empty main linked both ways),
 * which is 3% of `spoor evtx dump` on the 64 MB benchmark file and a third
 * of it on a small EVTX.  The headers still give the types and signatures.
 */
#include "hunt/hunt_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/limits.h"

#ifndef SP_MAX_CONTAINER_DEPTH
#define SP_MAX_CONTAINER_DEPTH 4        /* archive in archive in ... */
#endif
#ifndef SP_MAX_MEMBER_IN_MEMORY
#define SP_MAX_MEMBER_IN_MEMORY (128u << 20)  /* larger EVTX members go to a temp file */
#endif
#ifndef SP_MAX_ARCHIVE_MEMBERS
#define SP_MAX_ARCHIVE_MEMBERS 1000000
#endif

/* ------------------------------------------------ libarchive, on demand */

static struct {
    struct archive * (*read_new)(void);
    int (*support_filter_all)(struct archive *);
    int (*support_format_zip)(struct archive *);
    int (*support_format_tar)(struct archive *);
    int (*support_format_7zip)(struct archive *);
    int (*support_format_raw)(struct archive *);
    la_ssize_t (*read_data)(struct archive *, void *, size_t);
    int (*read_open)(struct archive *, void *, archive_open_callback *, archive_read_callback *, archive_close_callback *);
    int (*read_open_filename)(struct archive *, const char *, size_t);
    int (*read_open_memory)(struct archive *, const void *, size_t);
    int (*read_next_header)(struct archive *, struct archive_entry **);
    int (*read_free)(struct archive *);
    const char * (*error_string)(struct archive *);
    int (*format)(struct archive *);
    mode_t (*entry_filetype)(struct archive_entry *);
    const char * (*entry_pathname)(struct archive_entry *);
} la;
static pthread_once_t la_once = PTHREAD_ONCE_INIT;
static int la_ok;
static char la_why[200];

static void la_load(void)
{
    static const char *const names[] = {"libarchive.so.13", "libarchive.so"};
    /* SPOOR_LIBARCHIVE names another library file (the tests use it to
     * check that a missing libarchive is reported per container) */
    const char *alt = getenv("SPOOR_LIBARCHIVE");
    void *h = NULL;
    if (alt && *alt) h = dlopen(alt, RTLD_NOW | RTLD_LOCAL);
    for (size_t i = 0; !h && !(alt && *alt) && i < sizeof names / sizeof *names; i++) h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(la_why, sizeof la_why, "containers need libarchive (Debian package libarchive13): %s", e ? e : "not found");
        return;
    }
    const struct { const char *name; void **fn; } t[] = {
    {"archive_read_new", (void **)&la.read_new},
    {"archive_read_support_filter_all", (void **)&la.support_filter_all},
    {"archive_read_support_format_zip", (void **)&la.support_format_zip},
    {"archive_read_support_format_tar", (void **)&la.support_format_tar},
    {"archive_read_support_format_7zip", (void **)&la.support_format_7zip},
    {"archive_read_support_format_raw", (void **)&la.support_format_raw},
    {"archive_read_data", (void **)&la.read_data},
    {"archive_read_open", (void **)&la.read_open},
    {"archive_read_open_filename", (void **)&la.read_open_filename},
    {"archive_read_open_memory", (void **)&la.read_open_memory},
    {"archive_read_next_header", (void **)&la.read_next_header},
    {"archive_read_free", (void **)&la.read_free},
    {"archive_error_string", (void **)&la.error_string},
    {"archive_format", (void **)&la.format},
    {"archive_entry_filetype", (void **)&la.entry_filetype},
    {"archive_entry_pathname", (void **)&la.entry_pathname},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        /* POSIX: a function pointer may be stored through a void * */
        void *f = dlsym(h, t[i].name);
        if (!f) {
            snprintf(la_why, sizeof la_why, "libarchive lacks %s", t[i].name);
            return;
        }
        memcpy(t[i].fn, &f, sizeof f);
    }
    la_ok = 1;                   /* the handle stays open for the process */
}

/* 0 when libarchive is usable; else -1 with the reason in la_why */
static int la_ready(void)
{
    pthread_once(&la_once, la_load);
    return la_ok ? 0 : -1;
}

/* ---------------------------------------------- a member as a stdio stream */

typedef struct member_stream {
    struct archive *a;
    const unsigned char *pre;    /* bytes already read for sniffing */
    size_t npre, off;
    int err;
} member_stream;

static ssize_t ms_read(void *cookie, char *buf, size_t size)
{
    member_stream *m = cookie;
    if (m->off < m->npre) {
        size_t k = m->npre - m->off < size ? m->npre - m->off : size;
        memcpy(buf, m->pre + m->off, k);
        m->off += k;
        return (ssize_t)k;
    }
    la_ssize_t r = la.read_data(m->a, buf, size);
    if (r < 0) { m->err = 1; errno = EIO; return -1; }
    return (ssize_t)r;
}

static int ms_close(void *cookie) { (void)cookie; return 0; }

/* ------------------------------------------- reading a parent's member */

typedef struct parent_src {
    struct archive *parent;
    const unsigned char *pre;
    size_t npre, off;
    char buf[65536];
} parent_src;

static la_ssize_t ps_read(struct archive *a, void *ud, const void **out)
{
    (void)a;
    parent_src *p = ud;
    if (p->off < p->npre) {
        *out = p->pre + p->off;
        size_t k = p->npre - p->off;
        p->off = p->npre;
        return (la_ssize_t)k;
    }
    la_ssize_t r = la.read_data(p->parent, p->buf, sizeof p->buf);
    *out = p->buf;
    return r;
}

static struct archive *new_reader(void)
{
    struct archive *a = la.read_new();
    if (!a) return NULL;
    la.support_filter_all(a);
    la.support_format_zip(a);
    la.support_format_tar(a);
    la.support_format_7zip(a);
    la.support_format_raw(a);    /* a bare .gz / .zst: one member */
    return a;
}

static void read_archive(sp_hunt *h, struct archive *a, const char *name, int depth);

/* read the rest of the current member into memory (or a temp file) */
static int slurp(struct archive *a, const unsigned char *pre, size_t npre, unsigned char **mem,
                 size_t *len, FILE **spill)
{
    *mem = NULL;
    *len = 0;
    *spill = NULL;
    size_t cap = npre + 65536;
    unsigned char *b = malloc(cap);
    if (!b) return -1;
    memcpy(b, pre, npre);
    size_t n = npre;
    for (;;) {
        if (n == cap) {
            if (cap >= SP_MAX_MEMBER_IN_MEMORY) {
                /* spill what we have and the rest to an unlinked temp file */
                FILE *t = tmpfile();
                if (!t || fwrite(b, 1, n, t) != n) { if (t) fclose(t); free(b); return -1; }
                char buf[65536];
                la_ssize_t r;
                while ((r = la.read_data(a, buf, sizeof buf)) > 0)
                    if (fwrite(buf, 1, (size_t)r, t) != (size_t)r) { fclose(t); free(b); return -1; }
                free(b);
                if (r < 0 || fflush(t)) { fclose(t); return -1; }
                *spill = t;
                return 0;
            }
            size_t nc = cap * 2;
            unsigned char *nb = realloc(b, nc);
            if (!nb) { free(b); return -1; }
            b = nb;
            cap = nc;
        }
        la_ssize_t r = la.read_data(a, b + n, cap - n);
        if (r < 0) { free(b); return -1; }
        if (r == 0) break;
        n += (size_t)r;
    }
    *mem = b;
    *len = n;
    return 0;
}

static void member(sp_hunt *h, struct archive *a, const char *mname, int depth)
{
    unsigned char head[4200];
    size_t got = 0;
    while (got < sizeof head) {
        la_ssize_t r = la.read_data(a, head + got, sizeof head - got);
        if (r <= 0) break;
        got += (size_t)r;
    }
    const char *fmt = hunt_sniff(head, got);
    if (!strcmp(fmt, "gzip") || !strcmp(fmt, "zstd") || !strcmp(fmt, "zip")) {
        if (depth >= SP_MAX_CONTAINER_DEPTH) {
            input *in = hunt_new_input(h, mname, fmt);
            if (in) {
                in->st.skipped++;
                snprintf(in->skip_reason, sizeof in->skip_reason, "containers nested deeper than %d", SP_MAX_CONTAINER_DEPTH);
                hunt_note(h, in, UINT64_MAX, in->skip_reason);
            }
            return;
        }
        struct archive *c = new_reader();
        parent_src *ps = malloc(sizeof *ps);
        if (!c || !ps) { h->nomem = 1; free(ps); if (c) la.read_free(c); return; }
        ps->parent = a;
        ps->pre = head;
        ps->npre = got;
        ps->off = 0;
        if (la.read_open(c, ps, NULL, ps_read, NULL) != ARCHIVE_OK) {
            input *in = hunt_new_input(h, mname, fmt);
            if (in) { in->st.errors++; hunt_note(h, in, UINT64_MAX, la.error_string(c) ? la.error_string(c) : "cannot open"); }
        } else {
            read_archive(h, c, mname, depth + 1);
        }
        la.read_free(c);
        free(ps);
        return;
    }
    input *in = hunt_new_input(h, mname, fmt);
    if (!in) return;
    if (!strcmp(fmt, "jsonl")) {
        member_stream ms = {a, head, got, 0, 0};
        cookie_io_functions_t io = {ms_read, NULL, NULL, ms_close};
        FILE *fp = fopencookie(&ms, "r", io);
        if (!fp) { h->nomem = 1; return; }
        hunt_jsonl(h, in, fp);
        fclose(fp);
        if (ms.err) { in->st.errors++; hunt_note(h, in, UINT64_MAX, "archive member is damaged (read stopped)"); }
    } else if (!strcmp(fmt, "log")) {
        member_stream ms = {a, head, got, 0, 0};
        cookie_io_functions_t io = {ms_read, NULL, NULL, ms_close};
        FILE *fp = fopencookie(&ms, "r", io);
        if (!fp) { h->nomem = 1; return; }
        hunt_logfile(h, in, fp, hunt_logfmt(head, got));
        fclose(fp);
        if (ms.err) { in->st.errors++; hunt_note(h, in, UINT64_MAX, "archive member is damaged (read stopped)"); }
    } else if (!strcmp(fmt, "evtx")) {
        unsigned char *mem;
        size_t len;
        FILE *spill;
        if (slurp(a, head, got, &mem, &len, &spill)) {
            in->st.errors++;
            hunt_note(h, in, UINT64_MAX, "archive member could not be read (damaged, or out of space)");
            return;
        }
        if (spill) {
            char fdpath[64];
            snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fileno(spill));
            hunt_evtx_path(h, in, fdpath);
            fclose(spill);
        } else {
            hunt_evtx_mem(h, in, mem, len);
            free(mem);
        }
    } else {
        in->st.skipped++;
        snprintf(in->skip_reason, sizeof in->skip_reason, "not a recognised evidence format (EVTX, JSON lines, web/Zeek/Linux logs)");
        hunt_note(h, in, UINT64_MAX, in->skip_reason);
    }
}

static void read_archive(sp_hunt *h, struct archive *a, const char *name, int depth)
{
    struct archive_entry *e;
    size_t n = 0;
    int r;
    while ((r = la.read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
        if (++n > SP_MAX_ARCHIVE_MEMBERS) break;
        if (la.entry_filetype(e) != AE_IFREG && la.format(a) != ARCHIVE_FORMAT_RAW) continue;
        const char *p = la.entry_pathname(e);
        if (!p) p = "data";
        /* resource forks that macOS adds to zip files are not evidence */
        if (!strncmp(p, "__MACOSX/", 9) || strstr(p, "/._") || !strncmp(p, "._", 2)) continue;
        size_t l = strlen(name) + strlen(p) + 2;
        char *mname = malloc(l);
        if (!mname) { h->nomem = 1; return; }
        if (la.format(a) == ARCHIVE_FORMAT_RAW) snprintf(mname, l, "%s", name);
        else snprintf(mname, l, "%s:%s", name, p);
        member(h, a, mname, depth);
        free(mname);
        if (h->nomem) return;
        if (h->o.progress) h->o.progress(h->o.user, name, n, 0);
    }
    if (r != ARCHIVE_EOF && r != ARCHIVE_OK && r != ARCHIVE_WARN) {
        input *in = hunt_new_input(h, name, "container");
        if (in) {
            in->st.errors++;
            char m[300];
            snprintf(m, sizeof m, "container damaged after %zu members: %s", n,
                     la.error_string(a) ? la.error_string(a) : "read error");
            hunt_note(h, in, UINT64_MAX, m);
        }
    }
}

void hunt_container(sp_hunt *h, const char *path, const void *mem, size_t len)
{
    if (la_ready()) {
        input *in = hunt_new_input(h, path, "container");
        if (in) { in->st.errors++; hunt_note(h, in, UINT64_MAX, la_why); }
        return;
    }
    struct archive *a = new_reader();
    if (!a) { h->nomem = 1; return; }
    int r = mem ? la.read_open_memory(a, mem, len) : la.read_open_filename(a, path, 65536);
    if (r != ARCHIVE_OK) {
        input *in = hunt_new_input(h, path, "container");
        if (in) { in->st.errors++; hunt_note(h, in, UINT64_MAX, la.error_string(a) ? la.error_string(a) : "cannot open"); }
    } else {
        read_archive(h, a, path, 1);
    }
    la.read_free(a);
}
