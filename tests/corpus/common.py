"""Shared helpers for the corpus tests: locating ../shared/datasets, running
spoor, counting results, and printing the closing "N passed, N failed" line.
Data-dependent tests call skip() loudly when the data set is absent."""
import json, os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPOOR = os.path.join(ROOT, os.environ.get('SPOOR', 'build/spoor'))


def datasets():
    d = os.environ.get('SPOOR_DATASETS') or os.path.join(ROOT, '..', 'shared', 'datasets')
    return os.path.normpath(d) if os.path.isdir(d) else None


class Suite:
    def __init__(self, name):
        self.name, self.passed, self.failed, self.skipped = name, 0, 0, 0

    def ok(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f'FAIL {what}')
        return cond

    def skip(self, why):
        self.skipped += 1
        print(f'SKIP {self.name}: {why}')

    def done(self):
        print(f'{self.name}: {self.passed} passed, {self.failed} failed, {self.skipped} skipped')
        sys.exit(1 if self.failed else 0)


def run(args, timeout=60, input=None):
    """Run spoor; returns (rc, stdout bytes, stderr text)."""
    p = subprocess.run([SPOOR] + args, capture_output=True, timeout=timeout, input=input)
    return p.returncode, p.stdout, p.stderr.decode('utf-8', 'replace')


def dump_jsonl(path, *extra):
    rc, out, err = run(['evtx', 'dump', '-q', '--format', 'jsonl', *extra, path])
    recs = [json.loads(l) for l in out.splitlines() if l.strip()]
    return rc, recs


def info(path, *extra):
    rc, out, err = run(['evtx', 'info', '--json', '-q', *extra, path])
    return json.loads(out)[0]
