"""The benchmark driver behind `scripts/bench`: prepares seeded inputs, runs every workload several times
with trove (`trove-bench`), the Python peers (`peers.py`) and the physical limits (cp, sha256sum, dd),
then prints a markdown table (median and min–max, ratios, goal verdicts) and writes bench/out/latest.md
and bench/out/latest.json.
"""
import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

MIB = 1 << 20
LIMITS = ("dd", "cp", "cp + fsync", "sha256sum")
# A cell other than trove's whose first run takes longer than this (seconds) runs twice in all.
SLOW_RUN = 10
# --quick is a smoke run (< 2 min): trove everywhere, one peer per workload (no MLflow server: it starts slowly).
QUICK_PEERS = {"w1": ["clearml-server"], "w2": ["pandas"], "w3": ["clearml-server"], "w4": [],
               "w5": ["clearml-server"], "w7": ["trove"]}
GIB = 1 << 30

MODES = {
    "full": dict(repeats=5, py_repeats=3, rows=1_000_000, files=10_000, big=2 * GIB, w5=[1000, 10000], w5_py=300,
                 w6_checks=20, w7_clients=8, w7_files=32, dd=1 * GIB),
    "quick": dict(repeats=2, py_repeats=1, rows=100_000, files=1000, big=256 * MIB, w5=[500, 2000], w5_py=50,
                  w6_checks=10, w7_clients=8, w7_files=8, dd=256 * MIB),
}


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def count_entries(path, limit):
    """Files and folders below `path`, counted up to `limit`."""
    n, stack = 0, [path]
    while stack and n < limit:
        try:
            with os.scandir(stack.pop()) as it:
                for e in it:
                    n += 1
                    if e.is_dir(follow_symlinks=False):
                        stack.append(e.path)
        except OSError:
            pass
    return n


def wait_http(url, timeout=60, proc=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                r.read()
                return
        except urllib.error.HTTPError:
            return  # it answers
        except Exception:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree(pid):
    """pid and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


def tree_kib(pid, key):
    return sum(status_kib(p, key) for p in tree(pid))


class Server:
    def __init__(self, proc, kind, **kw):
        self.proc, self.kind = proc, kind
        self.__dict__.update(kw)

    def peak_kib(self):
        return tree_kib(self.proc.pid, "VmHWM:")

    def rss_kib(self):
        return tree_kib(self.proc.pid, "VmRSS:")

    def stop(self):
        peak = self.peak_kib()
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGINT if self.kind == "trove" else signal.SIGTERM)
                self.proc.wait(timeout=15)
            except Exception:  # noqa: BLE001
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # stragglers of the group (MLflow's job consumers)
        except OSError:
            pass
        self.proc.wait()
        return peak


class Hang(RuntimeError):
    """A measured process that did not finish in time (killed)."""


class Bench:
    def __init__(self, args):
        self.a = args
        self.mode = "quick" if args.quick else "full"
        self.cfg = MODES[self.mode]
        self.work = os.path.abspath(args.work)
        self.inputs = os.path.join(self.work, "inputs-" + self.mode)
        self.results = []
        self._mlflow = None
        self.errors = []
        self.hangs = []
        os.makedirs(self.inputs, exist_ok=True)

    # ------------------------------------------------------------------------------------------ running
    def scratch(self, tag):
        d = tempfile.mkdtemp(prefix=tag + "-", dir=self.work)
        return d

    def clean(self, path):
        """Remove a scratch folder. One holding many files is moved aside and deleted when the run ends:
        this machine's ext4 has no journal, and without one ext4 skips every inode freed in the last minutes
        (up to 6) when it allocates a new one, so deleting 20,000 files made each file the next step created
        cost ~0.6 ms of kernel time (W5's spread). Few-file folders (W4's big files) go at once."""
        if not os.path.exists(path):
            return
        if count_entries(path, limit=1000) >= 1000:
            trash = os.path.join(self.work, "trash")
            os.makedirs(trash, exist_ok=True)
            try:
                os.rename(path, os.path.join(trash, f"{len(os.listdir(trash))}-{os.path.basename(path)}"))
                return
            except OSError:
                pass
        shutil.rmtree(path, ignore_errors=True)

    def py_env(self, home, clearml_conf=None, offline=False):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CLEARML_", "TRAINS_", "MLFLOW_"))}
        env.update(HOME=home, PYTHONUNBUFFERED="1", PYTHONWARNINGS="ignore", GIT_PYTHON_REFRESH="quiet",
                   MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR="false", MLFLOW_ALLOW_FILE_STORE="true")
        if clearml_conf:
            env["CLEARML_CONFIG_FILE"] = clearml_conf
        if offline:
            env["CLEARML_OFFLINE_MODE"] = "1"
        return env

    def run(self, cmd, env=None, cwd=None, timeout=90):
        """Run one measured process; returns (wall seconds, parsed JSON line) or raises. A process that
        outlives `timeout` (the slowest peer run takes well under a minute) is killed with its whole group
        and raised as Hang, so that the repeat can be run again."""
        if env is None:
            env = {**os.environ, "RUST_BACKTRACE": "0"}
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass
            p.communicate()
            raise Hang(f"{' '.join(cmd[:3])}… hung for {timeout} s and was killed")
        wall = time.perf_counter() - t0
        lines = [l for l in out.splitlines() if l.startswith("{")]
        if p.returncode != 0 or not lines:
            tail = "\n".join((err or "").splitlines()[-25:])
            raise RuntimeError(f"{' '.join(cmd[:3])}… exited {p.returncode}\n{tail}")
        return wall, json.loads(lines[-1])

    def record(self, case, impl, rep, data, **extra):
        r = dict(data)
        r.update(extra)
        r.update(case=case, impl=impl, rep=rep)
        self.results.append(r)
        return r

    def attempt(self, case, impl, fn, slow=False, repeats=None):
        """Run fn(rep) for each repeat; a failure is recorded (and shown in the table), not fatal.
        `slow` cells run at most twice, and so does any cell other than trove's whose first run takes more
        than SLOW_RUN seconds (the ClearML SDK's, sha256sum's), which keeps the full run under 20 minutes."""
        mine = impl.startswith("trove")
        n = self.cfg["repeats"] if mine or impl in LIMITS else self.cfg["py_repeats"]
        if slow:
            n = min(n, 2)
        if repeats:
            n = repeats
        log(f"{case} / {impl} × {n}")
        rep = 0
        while rep < n:
            began = time.time()
            try:
                try:
                    fn(rep)
                except Hang as h:
                    # Seen with the clearml SDK (about once in 20 runs on a busy machine): the process it forks
                    # in Task.init deadlocks, and the parent waits for it at exit forever. Recorded in the
                    # notes, and the repeat runs once more.
                    log(f"HUNG {case} / {impl}: {h}; running this repeat again")
                    self.hangs.append(dict(case=case, impl=impl, error=str(h)))
                    fn(rep)
            except Exception as e:  # noqa: BLE001 - every failure is reported in the table
                msg = str(e).strip()
                log(f"FAILED {case} / {impl}: {msg[:2000]}")
                self.errors.append(dict(case=case, impl=impl, error=msg[-1500:]))
                return
            if rep == 0 and not mine and not repeats and n > 2 and time.time() - began > SLOW_RUN:
                n = 2
                log(f"{case} / {impl}: a run takes over {SLOW_RUN} s, so two runs")
            rep += 1

    def peers(self, workload, impls):
        if self.mode == "quick":
            return [i for i in impls if i in QUICK_PEERS[workload]]
        return list(impls)

    def trove(self, *args):
        return [self.a.bench_bin, *args]

    def peer(self, *args):
        # A copy outside the repository: the ClearML SDK inspects the git repository of the script it runs.
        script = os.path.join(self.work, "peers.py")
        if not os.path.exists(script):
            shutil.copy(os.path.join(self.a.repo, "bench/py/peers.py"), script)
        return [self.a.python, script, *args]

    # ------------------------------------------------------------------------------------------ servers
    def start_s3(self):
        """s3s-fs (installed by scripts/emulators) on a free port, with bucket `bench`."""
        emu = os.path.join(self.a.repo, "scripts/emulators")
        subprocess.run([emu, "install", "s3s-fs"], check=True, stdout=subprocess.DEVNULL)
        binp = subprocess.run([emu, "path", "s3s-fs"], check=True, capture_output=True, text=True).stdout.strip()
        data = self.scratch("s3-data")
        os.makedirs(os.path.join(data, "bench"), exist_ok=True)
        port = free_port()
        proc = subprocess.Popen([binp, "--host", "127.0.0.1", "--port", str(port), "--access-key", "test",
                                 "--secret-key", "testtesttest", data],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        return Server(proc, "s3s-fs", home=data, endpoint=f"http://127.0.0.1:{port}")

    def start_trove(self, db=None, storage=None):
        home = self.scratch("trove-server")
        api, files, web = free_port(), free_port(), free_port()
        logf = open(os.path.join(home, "server.log"), "w")
        extra = (["--db", db] if db else []) + (["--storage", storage] if storage else [])
        proc = subprocess.Popen(
            [self.a.trove_bin, "server", "--home", home, "--api-port", str(api), "--files-port", str(files),
             "--web-port", str(web), "--no-auth", *extra],
            stdout=logf, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "RUST_LOG": "warn"})
        s = Server(proc, "trove", home=home, api=f"http://127.0.0.1:{api}", files=f"http://127.0.0.1:{files}",
                   web=f"http://127.0.0.1:{web}")
        wait_http(s.api + "/debug.ping", proc=proc)
        wait_http(s.files + "/", proc=proc)
        return s

    def trove_client_home(self, server):
        home = self.scratch("trove-client")
        with open(os.path.join(home, "trove.toml"), "w") as f:
            f.write(f'api_server = "{server.api}"\nfiles_server = "{server.files}"\n'
                    f'access_key = "bench"\nsecret_key = "bench"\n')
        return home

    def clearml_conf(self, server, home):
        path = os.path.join(home, "clearml.conf")
        with open(path, "w") as f:
            f.write(f'api {{\n  api_server: "{server.api}"\n  web_server: "{server.web}"\n'
                    f'  files_server: "{server.files}"\n'
                    f'  credentials {{\n    access_key: "bench"\n    secret_key: "bench"\n  }}\n}}\n')
        return path

    def start_mlflow(self):
        home = self.scratch("mlflow-server")
        port = free_port()
        logf = open(os.path.join(home, "server.log"), "w")
        mlflow = os.path.join(os.path.dirname(self.a.python), "mlflow")
        proc = subprocess.Popen(
            [mlflow, "server", "--host", "127.0.0.1", "--port", str(port),
             "--backend-store-uri", f"sqlite:///{home}/mlflow.db",
             "--artifacts-destination", os.path.join(home, "artifacts"), "--serve-artifacts"],
            stdout=logf, stderr=subprocess.STDOUT, start_new_session=True, cwd=home,
            env=self.py_env(home))
        s = Server(proc, "mlflow", home=home, url=f"http://127.0.0.1:{port}")
        wait_http(s.url + "/health", timeout=120, proc=proc)
        return s

    def mlflow(self):
        """One `mlflow server` for the whole run (it takes tens of seconds to start); its idle RSS is
        recorded when it is first started."""
        if self._mlflow is None:
            self._mlflow = self.start_mlflow()
            time.sleep(2)
            self.record("W7 server idle RSS", "mlflow server", 0, dict(seconds=None, rss_kib=None),
                        server_rss_kib=self._mlflow.rss_kib())
        return self._mlflow

    # ---------------------------------------------------------------------------------------- peers run
    def run_peer(self, impl, workload, extra, server=None, mlflow=None, timeout=90):
        """Run peers.py for impl in a fresh cwd/HOME; returns (wall, data)."""
        home = self.scratch("py-" + impl)
        env_kw = {}
        args = list(extra)
        if impl == "clearml-server":
            env_kw["clearml_conf"] = self.clearml_conf(server, home)
        elif impl == "clearml-offline":
            env_kw["offline"] = True
        elif impl == "mlflow-local":
            args += ["--tracking-uri", f"file://{home}/mlruns"]
        elif impl == "mlflow-server":
            args += ["--tracking-uri", mlflow.url]
        try:
            return self.run(self.peer(workload, "--impl", impl, *args), env=self.py_env(home, **env_kw),
                            cwd=home, timeout=timeout)
        finally:
            self.clean(home)

    # ------------------------------------------------------------------------------------------ inputs
    def prepare(self):
        c = self.cfg
        inp = self.inputs

        def once(name, cmd):
            path = os.path.join(inp, name)
            if not os.path.exists(path + ".done"):
                log(f"preparing {name}")
                shutil.rmtree(path, ignore_errors=True)
                subprocess.run(self.trove(*cmd, "--out", path), check=True)
                open(path + ".done", "w").close()
            return path

        self.frame = once("frame.parquet", ["prepare-frame", "--rows", str(c["rows"])])
        self.folder = once("folder", ["prepare-folder", "--count", str(c["files"]), "--size", "4096"])
        self.big = once("big.bin", ["prepare-big", "--bytes", str(c["big"])])
        self.samples = once("data_samples", ["prepare-samples"])
        self.mib_dir = once("mib", ["prepare-folder", "--count", str(c["w7_files"]), "--size", str(MIB)])

    # ------------------------------------------------------------------------------------------ limits
    def limits(self):
        c = self.cfg

        def dd(rep):
            d = self.scratch("dd")
            out = subprocess.run(["dd", "if=/dev/zero", f"of={d}/dd.bin", "bs=4M", f"count={c['dd'] // (4 * MIB)}",
                                  "conv=fsync"], capture_output=True, text=True, check=True).stderr
            m = re.search(r"copied, ([\d.]+) s", out)
            self.record("disk write (dd conv=fsync)", "dd", rep, dict(seconds=float(m.group(1)), bytes=c["dd"]))
            self.clean(d)

        self.attempt("disk write (dd conv=fsync)", "dd", dd)

        def shell(case, impl, cmd):
            def f(rep):
                d = self.scratch("limit")
                t0 = time.perf_counter()
                subprocess.run(["bash", "-c", cmd.format(src=self.big, dst=d + "/copy")], check=True,
                               stdout=subprocess.DEVNULL)
                self.record(case, impl, rep, dict(seconds=time.perf_counter() - t0, bytes=c["big"]))
                self.clean(d)
            self.attempt(case, impl, f)

        w4 = self.w4case
        shell(w4, "cp", "cp {src} {dst}")
        shell(w4, "cp + fsync", "cp {src} {dst} && sync {dst}")
        shell(w4, "sha256sum", "sha256sum {src}")

    # ------------------------------------------------------------------------------------------ workloads
    def w1(self):
        def trove(rep):
            s = self.start_trove()
            try:
                home = self.trove_client_home(s)
                wall, d = self.run(self.trove("w1", "--home", home, "--samples", self.samples))
                self.record("W1 seed example, whole process", "trove", rep, dict(seconds=wall, rss_kib=d["rss_kib"]),
                            server_rss_kib=s.peak_kib())
                self.record("W1 seed example, init→close", "trove", rep, d)
                self.clean(home)
            finally:
                s.stop()
                self.clean(s.home)

        self.attempt("W1", "trove", trove)

        def peer(impl):
            def f(rep):
                s = self.start_trove() if impl == "clearml-server" else None
                m = self.mlflow() if impl == "mlflow-server" else None
                try:
                    wall, d = self.run_peer(impl, "w1", ["--samples", self.samples], server=s, mlflow=m)
                    srv = (s or m).peak_kib() if (s or m) else None
                    self.record("W1 seed example, whole process", impl, rep, dict(seconds=wall, rss_kib=d["rss_kib"]),
                                server_rss_kib=srv)
                    self.record("W1 seed example, init→close", impl, rep, d)
                finally:
                    if s:
                        s.stop()
                        self.clean(s.home)
            self.attempt("W1", impl, f)

        for impl in self.peers("w1", ("clearml-server", "clearml-offline", "mlflow-server", "mlflow-local")):
            peer(impl)

    def w2(self):
        for ext, label in ((".csv.gz", "W2 frame → csv.gz"), (".parquet", "W2 frame → parquet")):
            case = f"{label} ({self.cfg['rows']:,} rows × 8)"

            def trove(rep, ext=ext, case=case):
                home, dest = self.scratch("w2"), self.scratch("w2dest")
                try:
                    _, d = self.run(self.trove("w2", "--home", home, "--input", self.frame, "--ext", ext,
                                               "--dest", dest))
                    self.record(case, "trove", rep, d)
                finally:
                    self.clean(home)
                    self.clean(dest)

            self.attempt(case, "trove", trove)
            # csv.gz at level 9 costs the peers about a minute per run at full size, and clearml-offline and
            # mlflow-local run the very same pandas code: only the SDK and the serialisation alone are timed.
            slow = ext == ".csv.gz"
            peers = ("pandas", "clearml-server") if slow else ("pandas", "clearml-server", "clearml-offline",
                                                             "mlflow-local")
            for impl in self.peers("w2", peers):
                def f(rep, impl=impl, ext=ext, case=case):
                    s = self.start_trove() if impl == "clearml-server" else None
                    dest = self.scratch("w2dest")
                    try:
                        _, d = self.run_peer(impl, "w2", ["--input", self.frame, "--ext", ext, "--dest", dest],
                                             server=s)
                        self.record(case, impl, rep, d)
                    finally:
                        if s:
                            s.stop()
                            self.clean(s.home)
                        self.clean(dest)
                self.attempt(case, impl, f, slow=slow)

    def w3(self):
        case = f"W3 folder of {self.cfg['files']:,} × 4 KiB → zip"

        def trove(remote):
            def f(rep):
                s = self.start_trove() if remote else None
                home = self.trove_client_home(s) if remote else self.scratch("w3")
                dest = None if remote else self.scratch("w3dest")
                try:
                    args = ["w3", "--home", home, "--folder", self.folder] + ([] if remote else ["--dest", dest])
                    _, d = self.run(self.trove(*args))
                    self.record(case, "trove → files server" if remote else "trove", rep, d,
                                server_rss_kib=s.peak_kib() if s else None)
                finally:
                    if s:
                        s.stop()
                        self.clean(s.home)
                    self.clean(home)
                    if dest:
                        self.clean(dest)
            return f

        self.attempt(case, "trove", trove(False))
        self.attempt(case, "trove → files server", trove(True))
        for impl in self.peers("w3", ("clearml-server", "clearml-offline", "mlflow-local")):
            def f(rep, impl=impl):
                s = self.start_trove() if impl == "clearml-server" else None
                dest = self.scratch("w3dest")
                try:
                    _, d = self.run_peer(impl, "w3", ["--folder", self.folder, "--dest", dest], server=s)
                    self.record(case, impl, rep, d)
                finally:
                    if s:
                        s.stop()
                        self.clean(s.home)
                    self.clean(dest)
            self.attempt(case, impl, f)

    @property
    def w4case(self):
        return f"W4 one {self.cfg['big'] / GIB:g} GiB file → local folder"

    def w4(self):
        case = self.w4case

        def trove(rep):
            home, dest = self.scratch("w4"), self.scratch("w4dest")
            try:
                _, d = self.run(self.trove("w4", "--home", home, "--file", self.big, "--dest", dest))
                self.record(case, "trove", rep, d)
            finally:
                self.clean(home)
                self.clean(dest)

        self.attempt(case, "trove", trove)

        def trove_fsync(rep):
            home, dest = self.scratch("w4"), self.scratch("w4dest")
            with open(os.path.join(home, "trove.toml"), "w") as f:
                f.write("[storage]\nfsync = true\n")
            try:
                _, d = self.run(self.trove("w4", "--home", home, "--file", self.big, "--dest", dest))
                self.record(case, "trove, fsync = true", rep, d)
            finally:
                self.clean(home)
                self.clean(dest)

        self.attempt(case, "trove, fsync = true", trove_fsync)

        s3case = f"W4 one {self.cfg['big'] / GIB:g} GiB file → S3 (s3s-fs emulator)"

        def trove_s3(rep):
            s, home = self.start_s3(), self.scratch("w4s3")
            with open(os.path.join(home, "trove.toml"), "w") as f:
                f.write(f'[s3]\nkey = "test"\nsecret = "testtesttest"\nregion = "us-east-1"\n'
                        f'endpoint = "{s.endpoint}"\n')
            try:
                _, d = self.run(self.trove("w4", "--home", home, "--file", self.big, "--dest", "s3://bench/w4"))
                self.record(s3case, "trove", rep, d)
            finally:
                s.stop()
                self.clean(home)
                self.clean(s.home)

        self.attempt(s3case, "trove", trove_s3, slow=True)  # 2 GiB through the emulator: two runs
        for impl in self.peers("w4", ("clearml-server", "clearml-offline", "mlflow-local")):
            def f(rep, impl=impl):
                s = self.start_trove() if impl == "clearml-server" else None
                dest = self.scratch("w4dest")
                try:
                    # The clearml SDK in offline mode zips its whole session (the 2 GiB copy) at exit.
                    _, d = self.run_peer(impl, "w4", ["--file", self.big, "--dest", dest], server=s,
                                         timeout=300)
                    self.record(case, impl, rep, d)
                finally:
                    if s:
                        s.stop()
                        self.clean(s.home)
                    self.clean(dest)
            self.attempt(case, impl, f)

    def w5(self):
        for n in self.cfg["w5"]:
            case = f"W5 {n:,} dict artifacts → server"

            def f(rep, n=n, case=case):
                s = self.start_trove()
                try:
                    home = self.trove_client_home(s)
                    _, d = self.run(self.trove("w5", "--home", home, "--count", str(n)))
                    self.record(case, "trove", rep, d, server_rss_kib=s.peak_kib())
                    self.clean(home)
                finally:
                    s.stop()
                    self.clean(s.home)
            self.attempt(case, "trove", f)
        n = self.cfg["w5_py"]
        case = f"W5 {n:,} dict artifacts → server"
        for impl in self.peers("w5", ("clearml-server", "mlflow-server", "mlflow-local")):
            def g(rep, impl=impl):
                s = self.start_trove() if impl == "clearml-server" else None
                mlflow = self.mlflow() if impl == "mlflow-server" else None
                try:
                    _, d = self.run_peer(impl, "w5", ["--count", str(n)], server=s, mlflow=mlflow)
                    srv = s.peak_kib() if s else (mlflow.peak_kib() if impl == "mlflow-server" else None)
                    self.record(case, impl, rep, d, server_rss_kib=srv)
                finally:
                    if s:
                        s.stop()
                        self.clean(s.home)
            self.attempt(case, impl, g)

    def pg_database(self):
        """A fresh PostgreSQL database on 127.0.0.1:5432 (scripts/ensure-postgres starts one if needed)."""
        subprocess.run([os.path.join(self.a.repo, "scripts/ensure-postgres")], check=True,
                       stdout=subprocess.DEVNULL)
        name = f"trove_bench_{os.getpid()}_{int(time.time() * 1000) % 10**9}"
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc",
                        f"CREATE DATABASE {name}"], check=True, stdout=subprocess.DEVNULL)
        return name, f"postgres://postgres@127.0.0.1:5432/{name}"

    def drop_pg(self, name):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc",
                        f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], stdout=subprocess.DEVNULL)

    def w5_scaling(self):
        """Issue 8: 2 clients (each its own task, half the artifacts) on 1 server with SQLite, 1 server with
        PostgreSQL, and 2 servers sharing one PostgreSQL database and one storage folder (a client each)."""
        n = self.cfg["w5"][-1]
        case = f"W5 {n:,} dict artifacts → server, 2 clients"
        for impl, db_kind, servers in (("trove, 1 server, SQLite", None, 1),
                                       ("trove, 1 server, PostgreSQL", "pg", 1),
                                       ("trove, 2 servers, PostgreSQL", "pg", 2)):
            def f(rep, db_kind=db_kind, servers=servers, impl=impl):
                pg, url = self.pg_database() if db_kind else (None, None)
                shared = self.scratch("w5-storage")
                started, homes = [], []
                try:
                    for _ in range(servers):
                        started.append(self.start_trove(db=url, storage=shared))
                    procs = []
                    for c in range(2):
                        home = self.trove_client_home(started[c % servers])
                        homes.append(home)
                        procs.append(subprocess.Popen(self.trove("w5", "--home", home, "--count", str(n // 2)),
                                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
                    outs = []
                    for p in procs:
                        out, err = p.communicate(timeout=1800)
                        lines = [l for l in out.splitlines() if l.startswith("{")]
                        if p.returncode != 0 or not lines:
                            raise RuntimeError(f"w5 client exited {p.returncode}: {err[-1500:]}")
                        outs.append(json.loads(lines[-1]))
                    secs = max(o["end"] for o in outs) - min(o["start"] for o in outs)
                    count = sum(o["count"] for o in outs)
                    self.record(case, impl, rep, dict(seconds=secs, count=count, per_second=count / secs),
                                server_rss_kib=max(s.peak_kib() or 0 for s in started))
                finally:
                    for s in started:
                        s.stop()
                        self.clean(s.home)
                    for h in homes:
                        self.clean(h)
                    self.clean(shared)
                    if pg:
                        self.drop_pg(pg)
            # Three server set-ups per run: one run each in the quick (smoke) mode, three in the full one.
            self.attempt(case, impl, f, repeats=1 if self.mode == "quick" else 3)

    def w6(self):
        case_check = f"W6 registered frame ({self.cfg['rows']:,} rows): check, unchanged"
        case_sync = f"W6 registered frame ({self.cfg['rows']:,} rows): sync after a change"
        case_fp = f"W6 registered frame ({self.cfg['rows']:,} rows): fingerprint only"

        def trove(rep):
            home, dest = self.scratch("w6"), self.scratch("w6dest")
            try:
                _, d = self.run(self.trove("w6", "--home", home, "--input", self.frame, "--dest", dest,
                                           "--checks", str(self.cfg["w6_checks"])))
                self.record(case_fp, "trove", rep, dict(seconds=d["fingerprint_seconds"], rss_kib=d["rss_kib"]))
                self.record(case_check, "trove", rep, dict(seconds=d["check_seconds"], rss_kib=d["rss_kib"]))
                self.record(case_sync, "trove", rep, dict(seconds=d["sync_seconds"], rss_kib=d["rss_kib"]))
            finally:
                self.clean(home)
                self.clean(dest)

        self.attempt(case_check, "trove", trove)

        def clearml_way(rep):
            dest = self.scratch("w6dest")
            try:
                _, d = self.run_peer("pandas", "w6", ["--input", self.frame, "--dest", dest, "--checks", "1"])
                self.record(case_check, "ClearML's way (csv.gz 9 + sha256)", rep,
                            dict(seconds=d["check_seconds"], rss_kib=d["rss_kib"]))
            finally:
                self.clean(dest)

        self.attempt(case_check, "ClearML's way (csv.gz 9 + sha256)", clearml_way, slow=True)

    def w7(self):
        c = self.cfg
        case_idle = "W7 server idle RSS"
        case_up = f"W7 {c['w7_clients']} clients × {c['w7_files']} files of 1 MiB → server"

        def idle(rep):
            s = self.start_trove()
            try:
                time.sleep(2)
                self.record(case_idle, "trove server", rep, dict(seconds=None, rss_kib=None),
                            server_rss_kib=s.rss_kib())
            finally:
                s.stop()
                self.clean(s.home)

        self.attempt(case_idle, "trove server", idle)
        if self.mode != "quick":
            self.mlflow()

        def upload(impl):
            def f(rep):
                s = self.mlflow() if impl == "mlflow-server" else self.start_trove()
                homes, procs = [], []
                barrier = self.scratch("w7-barrier")
                try:
                    for k in range(c["w7_clients"]):
                        if impl == "trove":
                            home = self.trove_client_home(s)
                            cmd, env, cwd = self.trove("w7-client", "--home", home, "--dir", self.mib_dir,
                                                       "--client", str(k), "--barrier", barrier), None, None
                        else:
                            home = self.scratch("py-" + impl)
                            extra = ["--dir", self.mib_dir, "--client", str(k), "--barrier", barrier]
                            if impl == "mlflow-server":
                                extra += ["--tracking-uri", s.url]
                                env = self.py_env(home)
                            else:
                                env = self.py_env(home, clearml_conf=self.clearml_conf(s, home))
                            cmd, cwd = self.peer("w7-client", "--impl", impl, *extra), home
                        homes.append(home)
                        procs.append(subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE,
                                                      stderr=subprocess.PIPE, text=True))
                    # Every client opens its task first; then all upload at once (the time counts from go).
                    deadline = time.time() + 300
                    while sum(f.startswith("ready-") for f in os.listdir(barrier)) < len(procs):
                        if any(p.poll() is not None for p in procs) or time.time() > deadline:
                            break  # a client died (or hangs) before it was ready: reported below
                        time.sleep(0.005)
                    open(os.path.join(barrier, "go"), "w").close()
                    outs = []
                    for p in procs:
                        out, err = p.communicate(timeout=1800)
                        lines = [l for l in out.splitlines() if l.startswith("{")]
                        if p.returncode != 0 or not lines:
                            raise RuntimeError(f"w7 client exited {p.returncode}\n{err[-2000:]}")
                        outs.append(json.loads(lines[-1]))
                    start = min(o["start"] for o in outs)
                    end = max(o["end"] for o in outs)
                    self.record(case_up, impl, rep, dict(seconds=end - start, bytes=sum(o["bytes"] for o in outs),
                                                         rss_kib=max(o["rss_kib"] for o in outs)),
                                server_rss_kib=s.peak_kib())
                finally:
                    for p in procs:
                        if p.poll() is None:
                            p.kill()
                    if s is not self._mlflow:
                        s.stop()
                        self.clean(s.home)
                    for h in homes:
                        self.clean(h)
                    self.clean(barrier)
            return f

        for impl in self.peers("w7", ("trove", "clearml-server", "mlflow-server")):
            self.attempt(case_up, impl, upload(impl))

    # ------------------------------------------------------------------------------------------ main
    def go(self):
        self.t0 = time.time()
        self.load_start = os.getloadavg()
        self.step_times = []
        began = time.time()
        self.prepare()
        self.step_times.append(("build and inputs", time.time() - began))
        only = set(self.a.only.split(",")) if self.a.only else None
        steps = [("limits", self.limits), ("w1", self.w1), ("w2", self.w2), ("w3", self.w3), ("w4", self.w4),
                 ("w5", self.w5), ("w5-scaling", self.w5_scaling), ("w6", self.w6), ("w7", self.w7)]
        for name, fn in steps:
            if only and name not in only:
                continue
            # Let the previous step's writes reach the disk first (W4 writes tens of GiB), so that no step
            # pays for another's writeback.
            subprocess.run(["sync"], check=False)
            log(f"== {name}")
            began = time.time()
            fn()
            self.step_times.append((name, time.time() - began))
            self.save(partial=True)
        if self._mlflow:
            self._mlflow.stop()
            self.clean(self._mlflow.home)
        print(self.save(partial=False))
        log(f"done in {self.elapsed:.0f}s; table in {self.a.out}/latest.md")
        shutil.rmtree(os.path.join(self.work, "trash"), ignore_errors=True)

    def save(self, partial):
        """Write the table so far (after every step, so an interrupted run keeps what it measured)."""
        import report
        self.elapsed = time.time() - self.t0
        self.load_end = os.getloadavg()
        text = report.render(self)
        if partial:
            text = "**Partial: the run is still going (or was interrupted).**\n\n" + text
        os.makedirs(self.a.out, exist_ok=True)
        with open(os.path.join(self.a.out, "latest.md"), "w") as f:
            f.write(text)
        with open(os.path.join(self.a.out, "latest.json"), "w") as f:
            json.dump(dict(mode=self.mode, config=self.cfg, results=self.results, errors=self.errors, hangs=self.hangs,
                           machine=report.machine(self.work), elapsed=self.elapsed, partial=partial), f, indent=1)
        return text


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    p.add_argument("--repo", required=True)
    p.add_argument("--bench-bin", required=True)
    p.add_argument("--trove-bin", required=True)
    p.add_argument("--python", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--only", help="comma-separated steps: limits,w1,...,w7")
    p.add_argument("--repeats", type=int)
    args = p.parse_args()
    b = Bench(args)
    if args.repeats:
        b.cfg["repeats"] = b.cfg["py_repeats"] = args.repeats
    b.go()


if __name__ == "__main__":
    main()
