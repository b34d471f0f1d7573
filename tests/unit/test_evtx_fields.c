/* test_evtx_fields.c — the EVTX field index's shortcuts (field plans: a
 * template's fields indexed once per chunk; one-value fields rendered
 * directly; evtx_render.c) give every record exactly the fields, in the same
 * order and with the same values, as walking the record and rendering the
 * general way: every record of every EVTX file in ../shared/datasets
 * (skipped loudly without it). */
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test.h"
#include "spoor.h"
#include "base/buf.h"
#include "base/dirlist.h"

void bx_set_field_plans(int on);   /* evtx_render.c: for this test */

static int on_rec(void *user, unsigned worker, const sp_record *rec, sp_buf *out)
{
    (void)user; (void)worker;
    size_t n = sp_record_field_count(rec);
    sp_buf_printf(out, "#%llu %zu\n", (unsigned long long)sp_record_id(rec), n);
    for (size_t i = 0; i < n; i++) {
        size_t nl;
        const char *nm = sp_record_field_name(rec, i, &nl);
        sp_value v[8];
        size_t nv = sp_record_field_values(rec, i, v, 8);
        sp_buf_put(out, nm, nl);
        sp_buf_printf(out, " %zu", nv);
        for (size_t k = 0; k < nv && k < 8; k++) {
            sp_buf_putc(out, '|');
            sp_buf_put(out, v[k].str, v[k].len);
            sp_buf_printf(out, "/%d/%lld/%d", v[k].is_int, (long long)v[k].i, v[k].is_null);
        }
        sp_buf_putc(out, '\n');
    }
    /* lookups by name (memoised per plan): fixed names, and each field's own */
    static const char *const names[] = {"EventID", "Channel", "Computer", "TargetUserName", "Data", "Binary",
                                        "Provider_Name", "NoSuchField", "EventRecordID", "Param1"};
    for (size_t i = 0; i < sizeof names / sizeof *names + n; i++) {
        size_t nl;
        const char *nm = i < sizeof names / sizeof *names ? names[i] : sp_record_field_name(rec, i - sizeof names / sizeof *names, &nl);
        if (i < sizeof names / sizeof *names) nl = strlen(nm);
        sp_value v[8];
        size_t nv = sp_record_field(rec, nm, nl, v, 8);
        sp_buf_printf(out, "?%zu", nv);
        for (size_t k = 0; k < nv && k < 8; k++) sp_buf_put(out, v[k].str, v[k].len);
    }
    sp_buf_printf(out, " eid=%u\n", sp_record_event_id(rec));
    return 0;
}

static int on_flush(void *user, const sp_buf *out)
{
    sp_buf_put(user, sp_buf_data(out), sp_buf_len(out));
    return 0;
}

static void digest(const char *path, sp_buf *into)
{
    sp_evtx_opts o = {1, 0, NULL, NULL};
    sp_evtx *f;
    sp_error err;
    if (sp_evtx_open(path, &o, &f, &err) != SP_OK) return;
    sp_evtx_scan(f, on_rec, on_flush, into, &err);
    sp_evtx_close(f);
}

static void walk(const char *dir, int depth, size_t *files, size_t *same)
{
    char **names;
    size_t n;
    if (depth > 6 || sp_dir_list(dir, 1, &names, &n)) return;
    for (size_t i = 0; i < n; i++) {
        const char *p = names[i];   /* full paths */
        struct stat st;
        if (stat(p, &st)) continue;
        if (S_ISDIR(st.st_mode)) { walk(p, depth + 1, files, same); continue; }
        size_t l = strlen(p);
        if (l < 5 || strcmp(p + l - 5, ".evtx")) continue;
        sp_buf *a = sp_buf_new(), *b = sp_buf_new();
        bx_set_field_plans(1);
        digest(p, a);
        bx_set_field_plans(0);
        digest(p, b);
        bx_set_field_plans(1);
        (*files)++;
        int eq = sp_buf_len(a) == sp_buf_len(b) && !memcmp(sp_buf_data(a), sp_buf_data(b), sp_buf_len(a));
        *same += eq;
        if (!eq) { char m[4200]; snprintf(m, sizeof m, "field plans differ from walking on %s", p); test_fail(__FILE__, __LINE__, m); }
        sp_buf_free(a);
        sp_buf_free(b);
    }
    sp_dir_list_free(names, n);
}

TEST(evtx_field_plans_match_walking)
{
    const char *d = test_data_dir();
    if (!d) SKIP("../shared/datasets absent: EVTX field plans not compared");
    size_t files = 0, same = 0;
    walk(d, 0, &files, &same);
    CHECK(files > 50);
    CHECK_EQ_INT(same, files);
}

/* Scans keep workers' memory for the next one (evtx_file.c, the pool);
 * releasing it between scans changes nothing in what they decode. */
TEST(evtx_release_memory_between_scans)
{
    const char *d = test_data_dir();
    if (!d) SKIP("../shared/datasets absent: no EVTX file to scan");
    char path[4096];
    snprintf(path, sizeof path, "%s/evtx-samples/samples/security.evtx", d);
    struct stat st;
    if (stat(path, &st)) SKIP("evtx-samples/samples/security.evtx absent");
    sp_buf *a = sp_buf_new(), *b = sp_buf_new(), *c = sp_buf_new();
    for (unsigned threads = 1; threads <= 3; threads++) {
        sp_buf_reset(a); sp_buf_reset(b); sp_buf_reset(c);
        sp_evtx_opts o = {threads, 0, NULL, NULL};
        sp_evtx *f;
        sp_error err;
        sp_buf *into[3] = {a, b, c};
        for (int k = 0; k < 3; k++) {
            CHECK(sp_evtx_open(path, &o, &f, &err) == SP_OK);
            CHECK(sp_evtx_scan(f, on_rec, on_flush, into[k], &err) == SP_OK);
            sp_evtx_close(f);
            if (k == 1) sp_evtx_release_memory();
        }
        CHECK(sp_buf_len(a) > 1000);
        CHECK(sp_buf_len(a) == sp_buf_len(b) && !memcmp(sp_buf_data(a), sp_buf_data(b), sp_buf_len(a)));
        CHECK(sp_buf_len(a) == sp_buf_len(c) && !memcmp(sp_buf_data(a), sp_buf_data(c), sp_buf_len(a)));
    }
    sp_evtx_release_memory();
    sp_buf_free(a);
    sp_buf_free(b);
    sp_buf_free(c);
}

/* The worker threads are kept between scans (evtx_file.c, tp_post): scans
 * started from several threads at once share them, each getting the output
 * a lone 1-thread scan gives. */
typedef struct scan_job {
    const char *path;
    unsigned threads, rounds;
    const sp_buf *want;
    int same;                  /* rounds whose output equalled want */
} scan_job;

static void *scan_rounds(void *arg)
{
    scan_job *j = arg;
    for (unsigned r = 0; r < j->rounds; r++) {
        sp_buf *got = sp_buf_new();
        sp_evtx_opts o = {j->threads, 0, NULL, NULL};
        sp_evtx *f;
        sp_error err;
        if (got && sp_evtx_open(j->path, &o, &f, &err) == SP_OK) {
            if (sp_evtx_scan(f, on_rec, on_flush, got, &err) == SP_OK &&
                sp_buf_len(got) == sp_buf_len(j->want) && !memcmp(sp_buf_data(got), sp_buf_data(j->want), sp_buf_len(got)))
                j->same++;
            sp_evtx_close(f);
        }
        sp_buf_free(got);
    }
    return NULL;
}

static const char *sample_path(char *buf, size_t n, const char *name)
{
    const char *d = test_data_dir();
    if (!d) return NULL;
    snprintf(buf, n, "%s/evtx-samples/samples/%s", d, name);
    struct stat st;
    return stat(buf, &st) ? NULL : buf;
}

TEST(evtx_scans_from_several_threads_at_once)
{
    char path[4096];
    if (!sample_path(path, sizeof path, "security.evtx")) SKIP("../shared/datasets/evtx-samples/samples/security.evtx absent");
    sp_buf *want = sp_buf_new();
    digest(path, want);
    CHECK(sp_buf_len(want) > 1000);
    enum { N = 4 };
    scan_job jobs[N];
    pthread_t th[N];
    int started[N];
    for (int k = 0; k < N; k++) {
        jobs[k] = (scan_job){path, 2u + (unsigned)(k % 3), 5, want, 0};
        started[k] = !pthread_create(&th[k], NULL, scan_rounds, &jobs[k]);
        CHECK(started[k]);
    }
    for (int k = 0; k < N; k++) {
        if (!started[k]) continue;
        pthread_join(th[k], NULL);
        CHECK_EQ_INT(jobs[k].same, 5);
    }
    /* and once more after the threads were ended */
    sp_evtx_release_memory();
    scan_job again = {path, 3, 2, want, 0};
    scan_rounds(&again);
    CHECK_EQ_INT(again.same, 2);
    sp_evtx_release_memory();
    sp_buf_free(want);
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* A child process after fork() has none of the parent's worker threads:
 * its scans start their own (and do not wait for threads that are not
 * there), also when the fork came while another thread was scanning.  The
 * child gives up after 20 s, so a hang fails the test. */
TEST(evtx_scan_in_child_after_fork)
{
    char path[4096];
    if (!sample_path(path, sizeof path, "security.evtx")) SKIP("../shared/datasets/evtx-samples/samples/security.evtx absent");
    sp_buf *want = sp_buf_new();
    digest(path, want);
    scan_job warm = {path, 2, 1, want, 0};
    scan_rounds(&warm);                /* the pool now has a thread */
    CHECK_EQ_INT(warm.same, 1);
    /* and forks while another thread's scans use the pool — except under
     * ASan, whose allocator (clang 14) is not locked across fork(): a child
     * forked while another thread allocates can hang in it */
    scan_job busy = {path, 2, 6, want, 0};
    pthread_t bt;
    memset(&bt, 0, sizeof bt);
    int bstarted = !UNDER_ASAN && !pthread_create(&bt, NULL, scan_rounds, &busy);
    for (int k = 0; k < 3; k++) {
        fflush(NULL);
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            alarm(20);
            scan_job j = {path, 2, 2, want, 0};
            scan_rounds(&j);
            _exit(j.same == 2 ? 0 : 1);
        }
        int status = 0;
        if (pid > 0) CHECK(waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    if (bstarted) {
        pthread_join(bt, NULL);
        CHECK_EQ_INT(busy.same, 6);
    }
    sp_evtx_release_memory();
    sp_buf_free(want);
}

/* sp_evtx_release_memory from inside a scan (a flush callback: on the
 * calling thread or on a pool thread) frees what it may and leaves the
 * threads running the scan alone; a scan calling it every third chunk
 * gives the same output.  Run in a child with an alarm: a hang fails. */
typedef struct release_ctx {
    sp_buf *into;
    unsigned flushes;
} release_ctx;

static int on_flush_release(void *user, const sp_buf *out)
{
    release_ctx *c = user;
    sp_buf_put(c->into, sp_buf_data(out), sp_buf_len(out));
    if (++c->flushes % 3 == 0) sp_evtx_release_memory();
    return 0;
}

TEST(evtx_release_memory_from_a_callback)
{
    char path[4096];
    if (!sample_path(path, sizeof path, "security.evtx")) SKIP("../shared/datasets/evtx-samples/samples/security.evtx absent");
    sp_buf *want = sp_buf_new();
    digest(path, want);
    fflush(NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        alarm(20);
        int bad = 0;
        for (unsigned threads = 2; threads <= 4; threads++) {
            for (int round = 0; round < 3; round++) {
                release_ctx c = {sp_buf_new(), 0};
                sp_evtx_opts o = {threads, 0, NULL, NULL};
                sp_evtx *f;
                sp_error err;
                if (sp_evtx_open(path, &o, &f, &err) != SP_OK) _exit(2);
                if (sp_evtx_scan(f, on_rec, on_flush_release, &c, &err) != SP_OK) bad++;
                sp_evtx_close(f);
                if (sp_buf_len(c.into) != sp_buf_len(want) || memcmp(sp_buf_data(c.into), sp_buf_data(want), sp_buf_len(want))) bad++;
                sp_buf_free(c.into);
            }
        }
        sp_evtx_release_memory();
        _exit(bad ? 1 : 0);
    }
    int status = -1;
    if (pid > 0) CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    sp_buf_free(want);
}

/* A pool thread outlives the scan that started it: a later scan from
 * another caller runs its workers on that caller's CPUs, not on those of
 * the first (here pinned to one CPU). */
typedef struct cpu_ctx {
    pthread_mutex_t mu;
    cpu_set_t want;
    int checked, wrong;
} cpu_ctx;

static int on_rec_cpus(void *user, unsigned worker, const sp_record *rec, sp_buf *out)
{
    (void)rec; (void)out;
    cpu_ctx *c = user;
    cpu_set_t mine;
    if (worker == 0 || pthread_getaffinity_np(pthread_self(), sizeof mine, &mine)) return 0;
    pthread_mutex_lock(&c->mu);
    c->checked++;
    if (!CPU_EQUAL(&mine, &c->want)) c->wrong++;
    pthread_mutex_unlock(&c->mu);
    return 0;
}
static int on_flush_none(void *user, const sp_buf *out) { (void)user; (void)out; return 0; }

static void *scan_pinned(void *arg)
{
    const char *path = arg;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    pthread_setaffinity_np(pthread_self(), sizeof one, &one);
    sp_evtx_opts o = {2, 0, NULL, NULL};
    sp_evtx *f;
    sp_error err;
    if (sp_evtx_open(path, &o, &f, &err) == SP_OK) {
        sp_evtx_scan(f, on_rec, on_flush_none, NULL, &err);
        sp_evtx_close(f);
    }
    return NULL;
}

TEST(evtx_pool_threads_take_the_callers_cpus)
{
    char path[4096];
    if (!sample_path(path, sizeof path, "security.evtx")) SKIP("../shared/datasets/evtx-samples/samples/security.evtx absent");
    cpu_ctx c;
    memset(&c, 0, sizeof c);
    pthread_mutex_init(&c.mu, NULL);
    if (pthread_getaffinity_np(pthread_self(), sizeof c.want, &c.want) || CPU_COUNT(&c.want) < 2 || !CPU_ISSET(0, &c.want))
        SKIP("fewer than 2 CPUs (or not CPU 0) for this process");
    sp_evtx_release_memory();          /* no pool threads yet */
    pthread_t th;
    CHECK(!pthread_create(&th, NULL, scan_pinned, path));
    pthread_join(th, NULL);            /* the pool's thread was started from CPU 0 */
    sp_evtx_opts o = {2, 0, NULL, NULL};
    sp_evtx *f;
    sp_error err;
    CHECK(sp_evtx_open(path, &o, &f, &err) == SP_OK);
    CHECK(sp_evtx_scan(f, on_rec_cpus, on_flush_none, &c, &err) == SP_OK);
    sp_evtx_close(f);
    CHECK(c.checked > 0);
    CHECK_EQ_INT(c.wrong, 0);
    sp_evtx_release_memory();
    pthread_mutex_destroy(&c.mu);
}

/* Two sp_evtx_release_memory calls at once: each returns once the pool's
 * threads are gone (the process is back to its own threads). */
static unsigned task_count(void)
{
    unsigned n = 0;
    char **names = NULL;
    size_t nn = 0;
    if (sp_dir_list("/proc/self/task", 1, &names, &nn) == 0) n = (unsigned)nn;
    sp_dir_list_free(names, nn);
    return n;
}
static void *release_thread(void *arg)
{
    (void)arg;
    sp_evtx_release_memory();
    return (void *)(uintptr_t)task_count();
}

TEST(evtx_release_memory_twice_at_once)
{
    char path[4096];
    if (!sample_path(path, sizeof path, "security.evtx")) SKIP("../shared/datasets/evtx-samples/samples/security.evtx absent");
    sp_evtx_release_memory();
    /* a sanitizer runtime may start a thread of its own with the first
     * thread created: count after one */
    pthread_t t0;
    if (!pthread_create(&t0, NULL, release_thread, NULL)) pthread_join(t0, NULL);
    unsigned base = task_count();
    if (!base) SKIP("/proc/self/task not readable");
    sp_buf *want = sp_buf_new();
    digest(path, want);
    scan_job j = {path, 4, 1, want, 0};
    scan_rounds(&j);                   /* the pool now has threads */
    CHECK_EQ_INT(j.same, 1);
    CHECK(task_count() > base);
    pthread_t a, b;
    void *ra = NULL, *rb = NULL;
    int sa = !pthread_create(&a, NULL, release_thread, NULL);
    int sb = !pthread_create(&b, NULL, release_thread, NULL);
    if (sa) pthread_join(a, &ra);
    if (sb) pthread_join(b, &rb);
    CHECK(sa && sb);
    /* each saw only the main thread and the two release threads at most */
    CHECK((uintptr_t)ra <= base + 2);
    CHECK((uintptr_t)rb <= base + 2);
    CHECK_EQ_INT(task_count(), base);
    sp_buf_free(want);
}
