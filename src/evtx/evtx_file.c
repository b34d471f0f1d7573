/*
 * evtx_file.c — EVTX files: header, chunk walk, damage accounting, record
 * carving, and the parallel chunk pipeline.
 *
 * The file is read with pread() one 64 KiB chunk at a time into a worker's
 * buffer, never mapped whole, so memory stays bounded whatever the file size
 * (threads x chunk, plus the output of chunks waiting for their turn: at most
 * SP_EVTX_PENDING of them, SP_EVTX_PENDING_BYTES of output, limits.h).  Every
 * block after the 4 KiB header is examined, whatever chunk count the header
 * claims (dirty files keep writing past it).  Chunk i is decoded by whichever worker claims it; its
 * output and its damage reports are handed to the caller strictly in file
 * order, so results do not depend on the thread count.
 *
 * Damage is never fatal: a bad checksum is reported and the chunk used; a bad
 * chunk signature is reported and (with recover) carved; a bad record is
 * reported and the walk resumes after it when its size is sane.
 */
#include "evtx_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct sp_evtx {
    char *path;
    int fd;                    /* -1 for an in-memory file */
    const uint8_t *mem;        /* in-memory file (borrowed), or NULL */
    uint64_t size;
    uint32_t nchunks;          /* blocks after the header (last may be partial) */
    sp_evtx_opts opts;
    uint64_t *alloc_ids;       /* recover: sorted ids of allocated records */
    size_t nalloc;
    /* written at every chunk's flush, by whichever worker's turn it is:
     * on cache lines of its own, away from what workers read per chunk */
    _Alignas(64) sp_evtx_stats st;
    char st_pad_[64];
};

static const char *dmg_names[SP_DMG__COUNT] = {
    "file_header_magic", "file_header_crc", "chunk_count", "chunk_magic",
    "chunk_header_crc", "chunk_data_crc", "chunk_truncated", "record_header",
    "record_binxml"};

const char *sp_damage_name(sp_damage d)
{
    return (unsigned)d < SP_DMG__COUNT ? dmg_names[d] : "unknown";
}

/* zeroed, and aligned as its stats' cache lines need */
static sp_evtx *evtx_alloc(void)
{
    sp_evtx *f = aligned_alloc(_Alignof(sp_evtx), sizeof *f);
    if (f) memset(f, 0, sizeof *f);
    return f;
}

static void set_err(sp_error *e, const char *file, uint64_t off, int en, const char *fmt, const char *arg)
{
    if (!e) return;
    snprintf(e->file, sizeof e->file, "%s", file ? file : "");
    e->offset = off;
    e->sys_errno = en;
    snprintf(e->msg, sizeof e->msg, fmt, arg);
}

/* pread() for files, memcpy for in-memory input */
static ssize_t read_at(const sp_evtx *f, void *buf, size_t n, uint64_t off)
{
    if (!f->mem) return pread(f->fd, buf, n, (off_t)off);
    if (off >= f->size) return 0;
    size_t k = f->size - off < n ? (size_t)(f->size - off) : n;
    memcpy(buf, f->mem + off, k);
    return (ssize_t)k;
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) if (p[i]) return 0;
    return 1;
}

static sp_status evtx_init(sp_evtx *f, const char *path, const sp_evtx_opts *opts, sp_error *err);

sp_status sp_evtx_open(const char *path, const sp_evtx_opts *opts, sp_evtx **out, sp_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_err(err, path, UINT64_MAX, errno, "cannot open: %s", strerror(errno));
        return SP_ERR_IO;
    }
    struct stat sb;
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
        set_err(err, path, UINT64_MAX, errno, "%s", "not a regular file");
        close(fd);
        return SP_ERR_IO;
    }
    sp_evtx *f = evtx_alloc();
    if (!f) {
        close(fd);
        set_err(err, path, UINT64_MAX, ENOMEM, "%s", "out of memory");
        return SP_ERR_NOMEM;
    }
    f->fd = fd;
    f->size = (uint64_t)sb.st_size;
    sp_status st = evtx_init(f, path, opts, err);
    if (st != SP_OK) { sp_evtx_close(f); return st; }
    *out = f;
    return SP_OK;
}

sp_status sp_evtx_open_mem(const void *data, size_t len, const char *name, const sp_evtx_opts *opts,
                           sp_evtx **out, sp_error *err)
{
    *out = NULL;
    sp_evtx *f = evtx_alloc();
    if (!f) {
        set_err(err, name, UINT64_MAX, ENOMEM, "%s", "out of memory");
        return SP_ERR_NOMEM;
    }
    f->fd = -1;
    f->mem = data;
    f->size = len;
    sp_status st = evtx_init(f, name ? name : "(memory)", opts, err);
    if (st != SP_OK) { sp_evtx_close(f); return st; }
    *out = f;
    return SP_OK;
}

static sp_status evtx_init(sp_evtx *f, const char *path, const sp_evtx_opts *opts, sp_error *err)
{
    if (!(f->path = strdup(path))) {
        set_err(err, path, UINT64_MAX, ENOMEM, "%s", "out of memory");
        return SP_ERR_NOMEM;
    }
    if (opts) f->opts = *opts;
    f->st.file_size = f->size;
    uint8_t hdr[SP_EVTX_HEADER_SIZE];
    memset(hdr, 0, sizeof hdr);
    ssize_t n = read_at(f, hdr, sizeof hdr, 0);
    if (n < 0) {
        set_err(err, path, 0, errno, "cannot read: %s", strerror(errno));
        return SP_ERR_IO;
    }
    int header_ok = n >= 128 && !memcmp(hdr, "ElfFile\0", 8);
    if (!header_ok) {
        /* a damaged header is tolerable when chunks follow it */
        uint8_t cm[8] = {0};
        if (f->size < SP_EVTX_HEADER_SIZE + 8 || read_at(f, cm, 8, SP_EVTX_HEADER_SIZE) != 8 ||
            memcmp(cm, "ElfChnk\0", 8)) {
            set_err(err, path, 0, 0, "%s", "not an EVTX file (no ElfFile header, no chunk at 4096)");
            return SP_ERR_FORMAT;
        }
    } else {
        f->st.header_chunks = sp_le16(hdr + 42);
        f->st.minor = sp_le16(hdr + 36);
        f->st.major = sp_le16(hdr + 38);
        f->st.header_flags = sp_le32(hdr + 120);
    }
    uint64_t body = f->size > SP_EVTX_HEADER_SIZE ? f->size - SP_EVTX_HEADER_SIZE : 0;
    uint64_t nc = (body + SP_EVTX_CHUNK_SIZE - 1) / SP_EVTX_CHUNK_SIZE;
    if (nc > SP_MAX_CHUNKS) nc = SP_MAX_CHUNKS;
    f->nchunks = (uint32_t)nc;
    f->st.chunks_seen = f->nchunks;
    /* header damage is reported at scan time, through the same channel */
    f->st.damage[SP_DMG_FILE_HEADER_MAGIC] = header_ok ? 0 : 1;
    if (header_ok && sp_crc32(0, hdr, 120) != sp_le32(hdr + 124))
        f->st.damage[SP_DMG_FILE_HEADER_CRC] = 1;
    return SP_OK;
}

void sp_evtx_close(sp_evtx *f)
{
    if (!f) return;
    if (f->fd >= 0) close(f->fd);
    free(f->alloc_ids);
    free(f->path);
    free(f);
}

const char *sp_evtx_path(const sp_evtx *f) { return f->path; }
void sp_evtx_get_stats(const sp_evtx *f, sp_evtx_stats *out) { *out = f->st; }

/* ------------------------------------------------------------ the work */

/* a worker's memory, kept between scans (see wmem_get) */
typedef struct wmem {
    uint8_t *buf;              /* SP_EVTX_CHUNK_SIZE bytes */
    char *outmem;              /* nwin x SP_EVTX_SLOT_OUT bytes for output windows */
    unsigned nwin;
    sp_arena carena, rarena;   /* reset, first blocks kept */
} wmem;

typedef struct slot {
    uint32_t idx;
    int stop;                  /* the record callback asked to stop */
    int ioerr;
    sp_buf out;                /* a window of the worker's block, or the heap */
    sp_buf diags;              /* (u64 offset, u32 kind, msg\0)* */
    sp_evtx_stats d;           /* counts for this chunk */
} slot;

/* Workers sit side by side in one array, each on cache lines of its own
 * (two, for the adjacent-line prefetcher): with the array packed, a 2-thread
 * dump of the 64 MB bench file ran 1% slower (21 interleaved runs, twice). */
typedef struct worker {
    _Alignas(128) sp_evtx *f;
    const uint8_t *chunk;      /* the chunk being decoded */
    bx_chunk bc;
    sp_record rec;
    sp_record_fn on_record;
    void *user;
    unsigned id;
    void *pipe;                /* the pipeline, for threaded scans */
    unsigned nslots;           /* slots in use: SP_EVTX_PENDING shared out */
    size_t pend_bytes;         /* output held by pending slots */
    size_t pend_budget;        /* SP_EVTX_PENDING_BYTES shared out */
    wmem mem;                  /* chunk buffer, output windows, arenas */
    slot slots[SP_EVTX_WORKER_SLOTS]; /* decoded chunks waiting for their turn */
} worker;

static void slot_reset(slot *s, uint32_t idx)
{
    s->idx = idx;
    s->stop = s->ioerr = 0;
    sp_buf_reset(&s->out);
    sp_buf_reset(&s->diags);
    memset(&s->d, 0, sizeof s->d);
}

static void diag(slot *s, uint64_t off, sp_damage kind, const char *msg)
{
    s->d.damage[kind]++;
    uint8_t h[12];
    memcpy(h, &off, 8);
    uint32_t k = (uint32_t)kind;
    memcpy(h + 8, &k, 4);
    sp_buf_put(&s->diags, h, 12);
    sp_buf_put(&s->diags, msg, strlen(msg) + 1);
}

/* Each slot writes its chunk's output into a window of one block the
 * worker reserves (packed after the output of the pending slots, see
 * place_output; pages are touched only as output reaches them; output past
 * a window moves to the heap).  Growing a buffer per slot instead
 * copied each one up through eight sizes and gave every slot a mapping of
 * its own: with 2 threads ~430 more page faults per run of the 64 MB bench
 * file, and mmap/munmap calls that took the address-space lock while the
 * other worker faulted.
 *
 * A worker's memory (chunk buffer, output block, arena blocks) is kept
 * for the next scan in a small process-wide pool instead of being given
 * back: a folder of small logs is one scan per file, and memory mapped
 * afresh for each (its pages faulted in, then unmapped) cost a 2-thread
 * dump of the 24 sample files ~900 page faults more than the growing
 * buffers it replaced, which malloc recycled.  At most SP_EVTX_POOL
 * workers' memory is kept; sp_evtx_release_memory() frees it. */
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static wmem pool[SP_EVTX_POOL];
static unsigned pool_n;
static pthread_once_t tp_once = PTHREAD_ONCE_INIT;
static void tp_init_once(void);        /* fork handlers (tp_atfork_prepare) */

static void wmem_free(wmem *m)
{
    free(m->buf);
    free(m->outmem);
    sp_arena_fini(&m->carena);
    sp_arena_fini(&m->rarena);
    memset(m, 0, sizeof *m);
}

/* memory for a worker with nslots windows: from the pool, or new; -1 when
 * out of memory (m then holds nothing) */
static int wmem_get(wmem *m, unsigned nslots)
{
    memset(m, 0, sizeof *m);
    pthread_once(&tp_once, tp_init_once);
    pthread_mutex_lock(&pool_mu);
    if (pool_n) {
        /* the entry with the most windows: one large block serves all */
        unsigned best = 0;
        for (unsigned k = 1; k < pool_n; k++)
            if (pool[k].nwin > pool[best].nwin) best = k;
        *m = pool[best];
        pool[best] = pool[--pool_n];
    }
    pthread_mutex_unlock(&pool_mu);
    if (!m->buf) {
        sp_arena_init(&m->carena, 256 * 1024);
        sp_arena_init(&m->rarena, 64 * 1024);
        m->buf = malloc(SP_EVTX_CHUNK_SIZE);
    }
    if (m->nwin < nslots) {
        free(m->outmem);
        m->outmem = malloc((size_t)nslots * SP_EVTX_SLOT_OUT);
        m->nwin = m->outmem ? nslots : 0;
    }
    if (!m->buf || !m->outmem || sp_arena_reserve(&m->carena) || sp_arena_reserve(&m->rarena)) {
        wmem_free(m);
        return -1;
    }
    return 0;
}

static void wmem_put(wmem *m)
{
    if (!m->buf) return;
    sp_arena_reset(&m->carena);
    sp_arena_reset(&m->rarena);
    pthread_mutex_lock(&pool_mu);
    int kept = pool_n < SP_EVTX_POOL;
    if (kept) pool[pool_n++] = *m;
    pthread_mutex_unlock(&pool_mu);
    if (!kept) wmem_free(m);
    memset(m, 0, sizeof *m);
}

static void tp_end(void);
/* set on a thread while it runs a worker of a scan (sp_evtx_release_memory
 * then leaves the threads alone: joining them from a callback would wait
 * for the scan the callback is part of) */
static _Thread_local int in_scan;

void sp_evtx_release_memory(void)
{
    if (!in_scan) tp_end();
    pthread_mutex_lock(&pool_mu);
    while (pool_n) wmem_free(&pool[--pool_n]);
    pthread_mutex_unlock(&pool_mu);
}

static void worker_fini(worker *w);

/* -1 when out of memory (w is then left empty) */
static int worker_init(worker *w, sp_evtx *f, unsigned id, unsigned nslots, size_t budget,
                       sp_record_fn fn, void *user)
{
    memset(w, 0, sizeof *w);
    w->f = f;
    w->id = id;
    w->on_record = fn;
    w->user = user;
    if (bx_chunk_init(&w->bc) || wmem_get(&w->mem, nslots)) {
        worker_fini(w);
        return -1;
    }
    w->bc.carena = &w->mem.carena;
    w->bc.rarena = &w->mem.rarena;
    w->chunk = w->mem.buf;
    w->nslots = nslots;
    w->pend_budget = budget;
    return 0;
}

static void worker_fini(worker *w)
{
    for (unsigned k = 0; k < w->nslots; k++) {
        sp_buf_fini(&w->slots[k].out);
        sp_buf_fini(&w->slots[k].diags);
    }
    wmem_put(&w->mem);
    bx_chunk_fini(&w->bc);
    memset(w, 0, sizeof *w);
}

static int id_allocated(const sp_evtx *f, uint64_t id)
{
    size_t lo = 0, hi = f->nalloc;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (f->alloc_ids[mid] < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < f->nalloc && f->alloc_ids[lo] == id;
}

static void note_range(sp_evtx_stats *d, uint64_t id, uint64_t ft)
{
    if (!d->first_id || id < d->first_id) d->first_id = id;
    if (id > d->last_id) d->last_id = id;
    if (ft && (!d->first_time || ft < d->first_time)) d->first_time = ft;
    if (ft > d->last_time) d->last_time = ft;
}

/* Decode one record at chunk offset `off` (header already validated). */
static int emit_record(worker *w, slot *s, uint32_t off, uint32_t rsize, uint64_t file_off, int recovered)
{
    const uint8_t *c = w->chunk;
    sp_arena_reset(&w->mem.rarena);
    sp_record *r = &w->rec;
    memset(r, 0, sizeof *r);
    r->id = sp_le64(c + off + 8);
    r->filetime = sp_le64(c + off + 16);
    r->offset = file_off + off;
    r->recovered = recovered;
    r->chunk = &w->bc;
    if (bx_parse_record(&w->bc, off + 24, off + rsize - 4, &r->root)) {
        char m[256];
        snprintf(m, sizeof m, "record %llu: %s", (unsigned long long)r->id, w->bc.err);
        diag(s, file_off + off, SP_DMG_RECORD_BINXML, m);
        s->d.records_failed++;
        return 0;
    }
    if (recovered) s->d.records_recovered++;
    else s->d.records++;
    note_range(&s->d, r->id, r->filetime);
    if (w->on_record && w->on_record(w->user, w->id, r, &s->out)) s->stop = 1;
    return s->stop;
}

/* a plausible record header at chunk offset off (within csize)? */
static uint32_t record_at(const uint8_t *c, uint32_t off, uint32_t csize)
{
    if ((uint64_t)off + 28 > csize || sp_le32(c + off) != 0x00002a2a) return 0;
    uint32_t rsize = sp_le32(c + off + 4);
    if (rsize < 28 || (uint64_t)off + rsize > csize) return 0;
    if (sp_le32(c + off + rsize - 4) != rsize) return 0;
    return rsize;
}

/* Carve records in [from, to) of the chunk buffer, 4-byte steps.  Only
 * records whose body starts like a BinXML fragment are considered, and only
 * those whose id was not an allocated record are kept. */
static int carve(worker *w, slot *s, uint32_t from, uint32_t to, uint64_t file_off)
{
    const uint8_t *c = w->chunk;
    for (uint32_t off = (from + 3) & ~3u; (uint64_t)off + 28 <= to;) {
        uint32_t rsize = record_at(c, off, to);
        if (!rsize) { off += 4; continue; }
        const uint8_t *b = c + off + 24;
        int looks = (rsize >= 28 + 4 && b[0] == 0x0f && b[1] == 0x01 && b[2] == 0x01) ||
                    (rsize >= 28 + 5 && b[0] == 0x0a);
        if (!looks) { off += 4; continue; }
        uint64_t id = sp_le64(c + off + 8);
        if (id_allocated(w->f, id)) {
            s->d.records_dup_dropped++;
        } else if (emit_record(w, s, off, rsize, file_off, 1)) {
            return 1;
        }
        off += rsize;
    }
    return 0;
}

static void process_block(worker *w, slot *s, const uint8_t *c, uint32_t csize, uint64_t file_off);

static void process_chunk(worker *w, slot *s)
{
    sp_evtx *f = w->f;
    uint64_t file_off = SP_EVTX_HEADER_SIZE + (uint64_t)s->idx * SP_EVTX_CHUNK_SIZE;
    /* pread into the worker's buffer: measured as fast as mmap here, and
     * memory stays flat whatever the file size */
    ssize_t got = read_at(f, w->mem.buf, SP_EVTX_CHUNK_SIZE, file_off);
    if (got < 0) { s->ioerr = errno; return; }
    w->chunk = w->mem.buf;
    process_block(w, s, w->mem.buf, (uint32_t)got, file_off);
}

static void process_block(worker *w, slot *s, const uint8_t *c, uint32_t csize, uint64_t file_off)
{
    sp_evtx *f = w->f;
    char m[256];
    if (all_zero(c, csize)) { s->d.chunks_zero++; return; }
    if (csize < SP_EVTX_CHUNK_SIZE) {
        snprintf(m, sizeof m, "file ends %u bytes into chunk %u", csize, s->idx);
        diag(s, file_off, SP_DMG_CHUNK_TRUNCATED, m);
    }
    sp_arena_reset(&w->mem.carena);
    bx_chunk_begin(&w->bc, c, csize);
    if (csize < 512 || memcmp(c, "ElfChnk\0", 8)) {
        s->d.chunks_bad++;
        snprintf(m, sizeof m, "chunk %u: bad signature%s", s->idx,
                 f->opts.recover ? " (carving records)" : " (skipped; --recover carves it)");
        diag(s, file_off, SP_DMG_CHUNK_MAGIC, m);
        if (f->opts.recover) carve(w, s, 0, csize, file_off);
        return;
    }
    s->d.chunks_ok++;
    uint32_t free_off = sp_le32(c + 48);
    uint32_t hcrc = sp_crc32(sp_crc32(0, c, 120), c + 128, 384);
    if (hcrc != sp_le32(c + 124)) {
        snprintf(m, sizeof m, "chunk %u: header checksum mismatch (stored %08x, computed %08x)",
                 s->idx, sp_le32(c + 124), hcrc);
        diag(s, file_off, SP_DMG_CHUNK_HEADER_CRC, m);
    }
    int free_ok = free_off >= 512 && free_off <= csize;
    if (free_ok && sp_crc32(0, c + 512, free_off - 512) != sp_le32(c + 52)) {
        snprintf(m, sizeof m, "chunk %u: record data checksum mismatch", s->idx);
        diag(s, file_off, SP_DMG_CHUNK_DATA_CRC, m);
    }
    uint32_t limit = free_ok ? free_off : csize;
    uint32_t off = 512, good_end = 512;
    while ((uint64_t)off + 24 <= limit) {
        if (sp_le32(c + off) != 0x00002a2a) {
            if (!all_zero(c + off, limit - off)) {
                snprintf(m, sizeof m, "chunk %u: no record signature at chunk offset 0x%x", s->idx, off);
                diag(s, file_off + off, SP_DMG_RECORD_HEADER, m);
            }
            break;
        }
        uint32_t rsize = sp_le32(c + off + 4);
        if (rsize < 28 || (uint64_t)off + rsize > csize) {
            snprintf(m, sizeof m, "chunk %u: record at 0x%x has impossible size %u", s->idx, off, rsize);
            diag(s, file_off + off, SP_DMG_RECORD_HEADER, m);
            s->d.records_failed++;
            break;
        }
        if (sp_le32(c + off + rsize - 4) != rsize) {
            snprintf(m, sizeof m, "chunk %u: record at 0x%x: size copy %u differs from size %u",
                     s->idx, off, sp_le32(c + off + rsize - 4), rsize);
            diag(s, file_off + off, SP_DMG_RECORD_HEADER, m);
        }
        if (emit_record(w, s, off, rsize, file_off, 0)) return;
        off += rsize;
        good_end = off;
    }
    if (f->opts.recover && good_end < csize) carve(w, s, good_end, csize, file_off);
}

/* Fold one chunk's results into the file's, in file order. */
static int flush_slot(sp_evtx *f, slot *s, sp_flush_fn on_flush, void *user)
{
    sp_evtx_stats *t = &f->st, *d = &s->d;
    t->chunks_ok += d->chunks_ok;
    t->chunks_zero += d->chunks_zero;
    t->chunks_bad += d->chunks_bad;
    t->records += d->records;
    t->records_failed += d->records_failed;
    t->records_recovered += d->records_recovered;
    t->records_dup_dropped += d->records_dup_dropped;
    for (int k = 0; k < SP_DMG__COUNT; k++) t->damage[k] += d->damage[k];
    if (d->first_id) note_range(t, d->first_id, d->first_time);
    if (d->last_id) note_range(t, d->last_id, d->last_time);
    if (f->opts.diag && s->diags.len) {
        const char *p = s->diags.p, *e = p + s->diags.len;
        while (p && p + 12 <= e) {
            uint64_t off;
            uint32_t k;
            memcpy(&off, p, 8);
            memcpy(&k, p + 8, 4);
            const char *msg = p + 12;
            f->opts.diag(f->opts.diag_user, f->path, off, (sp_damage)k, msg);
            p = msg + strlen(msg) + 1;
        }
    }
    if (s->out.failed) return -1;
    if (on_flush && on_flush(user, &s->out)) return 1;
    return s->stop;
}

/* -------------------------------------------------------- the pipeline */

typedef struct pipe {
    sp_evtx *f;
    sp_flush_fn on_flush;
    void *user;
    /* claimed, flushed and stop are read and written without the lock (each
     * on a cache line of its own); the lock and `cv` serve only a worker
     * that waits for its turn, and the error fields */
    _Alignas(64) _Atomic uint32_t next_claim;   /* next chunk to decode */
    _Alignas(64) _Atomic uint32_t written;      /* chunks flushed so far */
    _Atomic int stop;
    _Atomic int waiters;       /* workers in cond_wait */
    unsigned finished;         /* started threads done and cleaned up (under mu) */
    _Alignas(64) sp_status rc;
    int err_errno;
    uint32_t err_chunk;
    pthread_mutex_t mu;
    pthread_cond_t cv;         /* `written` advanced or `stop` set */
    worker *workers;
    int caller_cpu;            /* where the caller's worker started, or -1 */
    int has_allowed;           /* `allowed` was read */
    cpu_set_t allowed;         /* the caller's CPUs: the scan's threads run there */
} pipe_t;

/* Flush slot s (its turn has come: p->written == s->idx).  Runs without
 * the lock: only the holder of chunk `written` may flush. */
static void flush_turn(pipe_t *p, slot *s)
{
    sp_status rc = SP_OK;
    if (s->ioerr) {
        rc = SP_ERR_IO;
        p->err_errno = s->ioerr;
        p->err_chunk = s->idx;
    } else {
        int fr = flush_slot(p->f, s, p->on_flush, p->user);
        if (fr) rc = fr < 0 ? SP_ERR_NOMEM : SP_ERR_ABORT;
    }
    if (rc != SP_OK) {
        pthread_mutex_lock(&p->mu);
        if (p->rc == SP_OK) p->rc = rc;
        pthread_mutex_unlock(&p->mu);
        atomic_store(&p->stop, 1);
    }
    /* seq_cst store then load, against the waiter's increment then load
     * (under the lock): one of the two sees the other */
    atomic_store(&p->written, s->idx + 1);
    if (atomic_load(&p->waiters)) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
}

/* Where slot s writes its chunk's output: a heap buffer it kept from an
 * earlier large output, else the lowest window of the worker's block clear
 * of the output of its pending slots, else (the block is fragmented) the
 * heap.  Outputs are packed at their real size, not one window per slot:
 * a window's pages are faulted in only as far as output reaches, and slots
 * with one window each came to hold as many pages as the largest output
 * each had seen (~100 KB here against 37 KB on average): a 2-thread dump of
 * the 64 MB bench file took 456-577 page faults, now 326-338 (perf stat,
 * 3 x 20 runs each, interleaved). */
static void place_output(worker *w, slot *s, slot *const *pend, unsigned head, unsigned npend)
{
    if (s->out.p && !s->out.borrowed) return;
    const size_t win = SP_EVTX_SLOT_OUT, size = (size_t)w->nslots * win;
    char *base = w->mem.outmem;
    size_t o = 0;
    /* each pass moves o past one pending output it overlapped: at most
     * npend passes of npend tests */
    for (unsigned pass = 0; pass <= npend; pass++) {
        int moved = 0;
        for (unsigned k = 0; k < npend && o + win <= size; k++) {
            const slot *q = pend[(head + k) % w->nslots];
            if (!q->out.borrowed || !q->out.len) continue;
            size_t qo = (size_t)(q->out.p - base), qe = qo + q->out.len;
            if (qo < o + win && o < qe) { o = (qe + 63) & ~(size_t)63; moved = 1; }
        }
        if (!moved) break;
    }
    if (o + win <= size) sp_buf_init_with(&s->out, base + o, win);
    else sp_buf_init(&s->out);
}

/* A worker keeps up to nslots decoded chunks waiting for their turn (and
 * stops decoding ahead once their output passes its share of
 * SP_EVTX_PENDING_BYTES), so a short chunk does not leave it idle behind
 * another worker's long one, nor a worker held up the others.
 * Pending slots leave in chunk order (a FIFO); a chunk is decoded into the
 * slot freed last (a stack), whose buffers are still in the caches (a ring
 * of slots, with two workers, wrote each chunk's ~40 KB of output into the
 * next of 16 buffers in turn; the stack measured 1% faster, 21 runs). */
static void *worker_main(void *arg)
{
    worker *w = arg;
    pipe_t *p = w->pipe;
    const unsigned ns = w->nslots;
    slot *pend[SP_EVTX_WORKER_SLOTS], *freed[SP_EVTX_WORKER_SLOTS];
    unsigned head = 0, npend = 0, nfree = 0;
    for (unsigned k = ns; k-- > 0;) freed[nfree++] = &w->slots[k];
    uint32_t nchunks = p->f->nchunks;
    for (;;) {
        if (atomic_load_explicit(&p->stop, memory_order_relaxed)) break;
        slot *h = npend ? pend[head] : NULL;
        if (h && h->idx == atomic_load_explicit(&p->written, memory_order_acquire)) {
            flush_turn(p, h);
            w->pend_bytes -= h->out.len;
            if (!h->out.borrowed && h->out.cap > SP_EVTX_SLOT_KEEP) {
                /* a huge output: give its memory back */
                sp_buf_fini(&h->out);
            }
            freed[nfree++] = h;
            head = (head + 1) % ns;
            npend--;
            continue;
        }
        if (npend < ns && (npend == 0 || w->pend_bytes < w->pend_budget) &&
            atomic_load_explicit(&p->next_claim, memory_order_relaxed) < nchunks) {
            uint32_t i = atomic_fetch_add(&p->next_claim, 1);
            if (i < nchunks) {
                slot *s = freed[--nfree];
                slot_reset(s, i);
                place_output(w, s, pend, head, npend);
                pend[(head + npend) % ns] = s;
                process_chunk(w, s);
                w->pend_bytes += s->out.len;
                npend++;
            }
            continue;
        }
        if (!npend) break;             /* nothing to decode, nothing pending */
        /* wait for the turn of the oldest pending chunk */
        pthread_mutex_lock(&p->mu);
        atomic_fetch_add(&p->waiters, 1);
        while (!atomic_load(&p->stop) && atomic_load(&p->written) != h->idx) pthread_cond_wait(&p->cv, &p->mu);
        atomic_fetch_sub(&p->waiters, 1);
        pthread_mutex_unlock(&p->mu);
    }
    return NULL;
}

/* A pool thread's CPUs for a job: the caller's (a pool thread outlives the
 * scan that started it, and callers may differ).  `mine` is what the thread
 * last set.  A woken thread may also be queued on the CPU of the thread that
 * woke it, which runs on: the two then share that CPU until the scheduler
 * balances (up to a 4 ms tick); it leaves that CPU first, then takes the
 * caller's whole set (and stays where it was moved). */
static void job_cpus(const pipe_t *p, cpu_set_t *mine, int *known)
{
    if (!p->has_allowed) return;
    if (p->caller_cpu >= 0 && sched_getcpu() == p->caller_cpu) {
        cpu_set_t others = p->allowed;
        CPU_CLR(p->caller_cpu, &others);
        if (CPU_COUNT(&others)) {
            pthread_setaffinity_np(pthread_self(), sizeof others, &others);
            *known = 0;
        }
    }
    if (*known && CPU_EQUAL(mine, &p->allowed)) return;
    if (pthread_setaffinity_np(pthread_self(), sizeof p->allowed, &p->allowed) == 0) {
        *mine = p->allowed;
        *known = 1;
    }
}

/* A worker's job on a pool thread: it scans, frees its own buffers (beside
 * the caller freeing its own), then says so under the scan's lock, after
 * which it touches nothing of the scan (the caller's stack). */
static void run_job(worker *w, cpu_set_t *mine, int *known)
{
    pipe_t *p = w->pipe;
    job_cpus(p, mine, known);
    in_scan = 1;
    worker_main(w);
    in_scan = 0;
    worker_fini(w);
    pthread_mutex_lock(&p->mu);
    p->finished++;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* The worker threads are kept between scans, waiting for the next one's
 * jobs: a folder of logs is one scan per file, and a thread created (stack
 * mapped, clone, placement) and ended for each took longer than waking one:
 * the 23 sample files dumped in one process with 2 threads, hyperfine 100
 * runs, median 11.15 -> 10.82 ms, 3rd quartile 11.24 -> 10.91 ms (without
 * leaving the caller's CPU, job_cpus, the median gained less and 1 run in
 * 10 lost 0.7 ms).  The pool grows to the most threads scans have used at
 * once, and does not shrink: sp_evtx_release_memory() ends the threads.  A
 * child process after fork() starts with none.  The threads block every
 * signal (a program's signals go to its own threads). */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;                 /* a job was posted, or quit */
    worker *jobs[SP_MAX_THREADS];      /* posted, not yet taken */
    unsigned njobs;
    unsigned nthreads, busy;           /* threads alive; running a job */
    pthread_t th[SP_MAX_THREADS];
    int quit;                          /* tp_end is ending the threads */
    pthread_cond_t ended;              /* ... and has */
    int nofork;                        /* the fork handlers could not be registered */
} tp = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER,
         .ended = PTHREAD_COND_INITIALIZER };

/* fork() happens with both locks held by the forking thread, so the child
 * inherits the pool and the memory pool in a consistent state */
static void tp_atfork_prepare(void)
{
    pthread_mutex_lock(&tp.mu);
    pthread_mutex_lock(&pool_mu);
}
static void tp_atfork_parent(void)
{
    pthread_mutex_unlock(&pool_mu);
    pthread_mutex_unlock(&tp.mu);
}
static void tp_atfork_child(void)
{
    /* the threads did not follow: jobs posted and not taken were the
     * parent's; the condition variable may name waiters that do not exist */
    pthread_mutex_unlock(&pool_mu);
    pthread_cond_init(&tp.cv, NULL);
    pthread_cond_init(&tp.ended, NULL);
    tp.njobs = tp.nthreads = tp.busy = 0;
    tp.quit = 0;
    pthread_mutex_unlock(&tp.mu);
}
/* without the handlers a child could wait for threads it does not have:
 * then scans use no pool threads (tp_post) */
static void tp_init_once(void)
{
    if (pthread_atfork(tp_atfork_prepare, tp_atfork_parent, tp_atfork_child)) tp.nofork = 1;
}

static void *tp_main(void *arg)
{
    (void)arg;
    cpu_set_t mine;                    /* started on one CPU (tp_post); each job sets the caller's */
    int known = 0;
    pthread_mutex_lock(&tp.mu);
    for (;;) {
        while (!tp.njobs && !tp.quit) pthread_cond_wait(&tp.cv, &tp.mu);
        if (!tp.njobs) break;          /* quit, nothing left to do */
        worker *w = tp.jobs[--tp.njobs];
        tp.busy++;
        pthread_mutex_unlock(&tp.mu);
        run_job(w, &mine, &known);
        pthread_mutex_lock(&tp.mu);
        tp.busy--;
    }
    pthread_mutex_unlock(&tp.mu);
    return NULL;
}

/* Hand workers w[0..n) of scan p to pool threads, starting threads as
 * needed (a new one on a CPU other than the caller's, see below); returns how many were
 * handed over (fewer when a thread could not be started, or the pool is
 * being ended): the others never start, and the caller's own worker
 * decodes what they would have. */
static unsigned tp_post(const pipe_t *p, worker *w, unsigned n)
{
    pthread_mutex_lock(&tp.mu);
    if (tp.quit || tp.nofork) { pthread_mutex_unlock(&tp.mu); return 0; }
    unsigned idle = tp.nthreads - tp.busy - tp.njobs;
    if (idle < n) {
        /* Each new thread starts on a CPU other than the caller's, then
         * lets the scheduler have it back.  Left alone, Linux often queued
         * a new thread on the caller's CPU and moved it only at the next
         * balancing tick (4 ms): with 2 threads on the 64 MB benchmark file
         * that cost 1.8 ms on average (22.8 ms against 21.0 ms, perf stat -r
         * 60).  A thread woken for a later scan: job_cpus. */
        int cpus[SP_MAX_THREADS];
        unsigned ncpu = 0, placed = 0;
        if (p->has_allowed) {
            int me = p->caller_cpu;
            for (int c = 0; c < CPU_SETSIZE && ncpu < SP_MAX_THREADS; c++)
                if (CPU_ISSET(c, &p->allowed) && c != me) cpus[ncpu++] = c;
            placed = me >= 0 && CPU_ISSET(me, &p->allowed) && ncpu >= n - idle;
        }
        /* a new thread inherits the signal mask: all blocked */
        sigset_t all, old;
        sigfillset(&all);
        int masked = pthread_sigmask(SIG_SETMASK, &all, &old) == 0;
        for (unsigned k = 0; idle < n && tp.nthreads < SP_MAX_THREADS; k++) {
            pthread_attr_t at;
            if (pthread_attr_init(&at)) break;
            if (placed) {
                cpu_set_t one;
                CPU_ZERO(&one);
                CPU_SET(cpus[k % ncpu], &one);
                pthread_attr_setaffinity_np(&at, sizeof one, &one);
            }
            int cr = pthread_create(&tp.th[tp.nthreads], &at, tp_main, NULL);
            pthread_attr_destroy(&at);
            if (cr) break;
            tp.nthreads++;
            idle++;
        }
        if (masked) pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    if (n > idle) n = idle;
    for (unsigned k = 0; k < n; k++) tp.jobs[tp.njobs++] = &w[k];
    if (n == 1) pthread_cond_signal(&tp.cv);
    else if (n) pthread_cond_broadcast(&tp.cv);
    pthread_mutex_unlock(&tp.mu);
    return n;
}

/* End the pool's threads (each first finishes a job it has); returns once
 * they are gone, also when another thread was already ending them.  Not
 * from a thread running a worker (in_scan): it would wait for itself. */
static void tp_end(void)
{
    pthread_mutex_lock(&tp.mu);
    if (tp.quit) {
        while (tp.quit) pthread_cond_wait(&tp.ended, &tp.mu);
        pthread_mutex_unlock(&tp.mu);
        return;
    }
    if (!tp.nthreads) { pthread_mutex_unlock(&tp.mu); return; }
    tp.quit = 1;
    pthread_cond_broadcast(&tp.cv);
    unsigned n = tp.nthreads;
    pthread_mutex_unlock(&tp.mu);
    for (unsigned k = 0; k < n; k++) pthread_join(tp.th[k], NULL);
    pthread_mutex_lock(&tp.mu);
    tp.nthreads = 0;
    tp.quit = 0;
    pthread_cond_broadcast(&tp.ended);
    pthread_mutex_unlock(&tp.mu);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* recover mode: the ids of every allocated record, so carved copies of
 * them can be dropped. */
static int collect_allocated(sp_evtx *f, uint8_t *c)
{
    size_t cap = 0;
    for (uint32_t i = 0; i < f->nchunks; i++) {
        ssize_t got = read_at(f, c, SP_EVTX_CHUNK_SIZE, SP_EVTX_HEADER_SIZE + (uint64_t)i * SP_EVTX_CHUNK_SIZE);
        if (got < 512 || memcmp(c, "ElfChnk\0", 8)) continue;
        uint32_t csize = (uint32_t)got, free_off = sp_le32(c + 48);
        uint32_t limit = free_off >= 512 && free_off <= csize ? free_off : csize;
        for (uint32_t off = 512; (uint64_t)off + 24 <= limit;) {
            if (sp_le32(c + off) != 0x00002a2a) break;
            uint32_t rsize = sp_le32(c + off + 4);
            if (rsize < 28 || (uint64_t)off + rsize > csize) break;
            if (f->nalloc == cap) {
                cap = cap ? cap * 2 : 4096;
                uint64_t *n = realloc(f->alloc_ids, cap * sizeof *n);
                if (!n) return -1;
                f->alloc_ids = n;
            }
            f->alloc_ids[f->nalloc++] = sp_le64(c + off + 8);
            off += rsize;
        }
    }
    if (f->nalloc) qsort(f->alloc_ids, f->nalloc, sizeof *f->alloc_ids, cmp_u64);
    return 0;
}

static void header_diags(sp_evtx *f)
{
    if (!f->opts.diag) return;
    if (f->st.damage[SP_DMG_FILE_HEADER_MAGIC])
        f->opts.diag(f->opts.diag_user, f->path, 0, SP_DMG_FILE_HEADER_MAGIC, "file header signature is not ElfFile");
    if (f->st.damage[SP_DMG_FILE_HEADER_CRC])
        f->opts.diag(f->opts.diag_user, f->path, 124, SP_DMG_FILE_HEADER_CRC, "file header checksum mismatch");
}

static void trailer_diags(sp_evtx *f)
{
    if (f->st.header_chunks && f->st.chunks_ok + f->st.chunks_bad > f->st.header_chunks) {
        f->st.damage[SP_DMG_CHUNK_COUNT]++;
        if (f->opts.diag) {
            char m[160];
            snprintf(m, sizeof m, "header says %u chunks, file holds %u (read them all)",
                     f->st.header_chunks, f->st.chunks_ok + f->st.chunks_bad);
            f->opts.diag(f->opts.diag_user, f->path, 42, SP_DMG_CHUNK_COUNT, m);
        }
    }
}

sp_status sp_evtx_scan(sp_evtx *f, sp_record_fn on_record, sp_flush_fn on_flush, void *user, sp_error *err)
{
    unsigned nt = f->opts.threads;
    if (nt == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        nt = n > 0 ? (unsigned)n : 1;
    }
    if (nt > SP_MAX_THREADS) nt = SP_MAX_THREADS;
    if (nt > f->nchunks) nt = f->nchunks ? f->nchunks : 1;
    header_diags(f);
    sp_status rc = SP_OK;
    if (f->opts.recover && !f->alloc_ids) {
        uint8_t *c = malloc(SP_EVTX_CHUNK_SIZE);
        if (!c || collect_allocated(f, c)) { free(c); set_err(err, f->path, UINT64_MAX, ENOMEM, "%s", "out of memory"); return SP_ERR_NOMEM; }
        free(c);
    }
    /* N workers (the calling thread is one of them).  A worker claims the
     * next chunk, decodes it into its own slot, then waits for its turn and
     * flushes it itself: output leaves in file order without being handed
     * to another core, and no third thread competes for the CPUs. */
    pipe_t p;
    memset(&p, 0, sizeof p);
    p.f = f;
    p.on_flush = on_flush;
    p.user = user;
    p.workers = aligned_alloc(_Alignof(worker), nt * sizeof *p.workers);
    if (p.workers) memset(p.workers, 0, nt * sizeof *p.workers);
    unsigned started = 0;
    if (!p.workers) { rc = SP_ERR_NOMEM; goto out; }
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    /* pending chunks ride out a worker's stall (preempted, or waiting for
     * the address-space lock): 16 per worker ran out in 4 of 10 runs of the
     * bench file with 2 threads, and the other worker sat idle ~1 ms */
    unsigned nslots = SP_EVTX_PENDING / nt;
    if (nslots > SP_EVTX_WORKER_SLOTS) nslots = SP_EVTX_WORKER_SLOTS;
    if (nslots < 4) nslots = 4;
    if (nslots > f->nchunks) nslots = f->nchunks ? f->nchunks : 1;  /* no more than it can hold */
    for (unsigned k = 0; k < nt; k++) {
        if (worker_init(&p.workers[k], f, k, nslots, SP_EVTX_PENDING_BYTES / nt, on_record, user)) {
            rc = SP_ERR_NOMEM;
            break;
        }
        p.workers[k].pipe = &p;
        started++;
    }
    unsigned spawned = 0;
    if (rc == SP_OK && started > 1) {
        p.caller_cpu = sched_getcpu();
        p.has_allowed = pthread_getaffinity_np(pthread_self(), sizeof p.allowed, &p.allowed) == 0;
        spawned = tp_post(&p, p.workers + 1, started - 1);
    }
    int was_in_scan = in_scan;
    in_scan = 1;
    if (rc == SP_OK && started) worker_main(&p.workers[0]);
    in_scan = was_in_scan;
    /* workers never started were never scanning: free them here */
    for (unsigned k = spawned + 1; k < started; k++) worker_fini(&p.workers[k]);
    if (started) worker_fini(&p.workers[0]);
    pthread_mutex_lock(&p.mu);
    while (p.finished < spawned) pthread_cond_wait(&p.cv, &p.mu);
    pthread_mutex_unlock(&p.mu);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv);
    if (rc == SP_OK) rc = p.rc;
    if (rc == SP_ERR_IO) set_err(err, f->path, SP_EVTX_HEADER_SIZE + (uint64_t)p.err_chunk * SP_EVTX_CHUNK_SIZE,
                                 p.err_errno, "read failed: %s", strerror(p.err_errno));
    if (rc == SP_OK) trailer_diags(f);
out:
    if (rc == SP_ERR_NOMEM) set_err(err, f->path, UINT64_MAX, ENOMEM, "%s", "out of memory");
    free(p.workers);
    return rc;
}
