"""The benchmark runner keeps working: `python -m benchmarks.run --smoke` writes its JSON results.

Nothing here asserts on time values; only that every expected number was measured.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks import report
from benchmarks import run as run_module
from benchmarks.generate import generate_corpus
from benchmarks.measure import TIMED_OUT, filesystem_of, fresh_memory_ms_per_gib, new_file_us, run_measured
from benchmarks.peers import PEERS, PeerBuilds, Prepared, hugo_command, prepare_hugo
from benchmarks.run import parse_timings
from kb.exports import FEED_SIZE

REPO = Path(__file__).resolve().parent.parent
KB_COMMANDS = ("check_cold", "check_warm", "build_cold", "build_incremental", "build_front_matter_edit")
SITE_KEYS = ("output_bytes", "html_pages", "claim_pages", "claim_page_avg_bytes", "claim_page_max_bytes",
             "graph_json_bytes")


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Run the smoke benchmark once into a temporary folder and return its parsed JSON."""
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run([sys.executable, "-m", "benchmarks.run", "--smoke", "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "| target | goal |" in done.stdout
    found = sorted(out.glob("results-*.json"))
    assert len(found) == 1
    return json.loads(found[0].read_text(encoding="utf-8"))


def test_top_level_keys(smoke: dict) -> None:
    """The result names the machine, the configuration, sizes, scaling and targets."""
    assert {"machine", "config", "sizes", "scaling", "targets", "failures"} <= smoke.keys()
    assert smoke["config"]["smoke"] is True and smoke["config"]["peers"] == []
    assert list(smoke["sizes"]) == ["1000"]
    assert smoke["machine"]["cores"] > 0 and smoke["machine"]["cpu"]
    assert smoke["machine"]["new_file_us"] > 0 and smoke["machine"]["work_fs"] != "unknown"
    assert smoke["machine"]["fresh_memory_ms_per_gib"] > 0 and smoke["machine"]["python_start_ms"] > 0
    assert "Starting Python" in report.machine_table(smoke["machine"])
    assert not Path(smoke["machine"]["work"]).exists()  # the working folder is removed after the run


def test_every_kb_command_measured(smoke: dict) -> None:
    """Each kb command ran, succeeded and has a positive wall time, peak RSS and per-claim cost."""
    size = smoke["sizes"]["1000"]
    for command in KB_COMMANDS:
        measured = size["kb"][command]
        assert measured["ok"], measured
        assert measured["wall_s"] > 0
        assert measured["peak_rss_mb"] is None or measured["peak_rss_mb"] > 0
        assert size["per_claim_us"][command] > 0
    assert size["kb_peak_rss_mb"] >= 0


def test_the_quick_commands_are_timed_five_times_and_the_median_reported(smoke: dict) -> None:
    """Warm check and the rebuild after an edit: five runs each, the reported one is their median."""
    for command in ("check_warm", "build_incremental"):
        measured = smoke["sizes"]["1000"]["kb"][command]
        walls = measured["wall_s_runs"]
        assert len(walls) == 5 and all(wall > 0 for wall in walls)
        assert measured["wall_s"] == sorted(walls)[2]


def test_the_cold_commands_are_timed_three_times_and_the_median_reported(smoke: dict) -> None:
    """Cold check and cold build: three runs each at 1k claims, the reported one is their median,
    with the stages table taken from that median run's log."""
    for command in ("check_cold", "build_cold"):
        measured = smoke["sizes"]["1000"]["kb"][command]
        walls = measured["wall_s_runs"]
        assert len(walls) == 3 and measured["wall_s"] == sorted(walls)[1]
    median_log = Path(smoke["sizes"]["1000"]["kb"]["build_cold"]["log"])
    assert median_log.exists() and parse_timings(median_log) == smoke["sizes"]["1000"]["timings"]["build"]


def test_cpu_time_of_every_command_is_kept(smoke: dict) -> None:
    """Each command's CPU time (its own and its workers', user and kernel) is kept and tabled."""
    runs = smoke["sizes"]["1000"]["kb"]
    assert all(m["user_s"] > 0 and m["sys_s"] >= 0 for m in runs.values())
    build = runs["build_cold"]
    assert build["user_s"] + build["sys_s"] > 0.2 * build["wall_s"]
    assert "CPU user + sys (s)" in report.commands_table(smoke["sizes"])


def test_file_creation_is_priced_and_cleaned_up(tmp_path: Path) -> None:
    """The machine's price of a new file is measured in a scratch folder that is removed after."""
    assert new_file_us(tmp_path, count=50) > 0
    assert list(tmp_path.iterdir()) == []


def test_fresh_memory_is_priced_per_gib() -> None:
    """The machine line prices first writes to memory, per GiB whatever the amount written."""
    assert 0 < fresh_memory_ms_per_gib(mib=16) < 60_000  # a price per GiB: under a minute on any machine that runs the tests


def test_builds_run_in_memory_when_there_is_room_else_beside_the_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default working folder is in /dev/shm when it has room for a 50k run, else under --out."""
    monkeypatch.setattr(run_module, "MEMORY_FOLDER", str(tmp_path / "memory"))
    assert run_module.default_work(tmp_path / "out", "STAMP") == tmp_path / "out" / "work"  # no such folder
    (tmp_path / "memory").mkdir()
    monkeypatch.setattr(run_module, "MEMORY_ROOM_BYTES", 1)
    assert run_module.default_work(tmp_path / "out", "STAMP") == tmp_path / "memory" / "kb-benchmark-STAMP"
    monkeypatch.setattr(run_module, "MEMORY_ROOM_BYTES", 2**62)
    assert run_module.default_work(tmp_path / "out", "STAMP") == tmp_path / "out" / "work"


def test_filesystem_of_picks_the_deepest_mount(tmp_path: Path) -> None:
    """The file system of a folder is that of the longest mount point holding it."""
    mounts = tmp_path / "mounts"
    mounts.write_text("/dev/vda / ext4 rw 0 0\ntmpfs /dev/shm tmpfs rw 0 0\ntmpfs /dev/shmx tmpfs rw 0 0\n", encoding="utf-8")
    assert filesystem_of(Path("/dev/shm/kb-benchmark"), mounts) == "tmpfs"
    assert filesystem_of(Path("/dev/sh"), mounts) == "ext4"
    assert filesystem_of(Path("/dev/shm"), tmp_path / "absent") == "unknown"


def test_site_and_incremental_metrics(smoke: dict) -> None:
    """The built site was weighed and the incremental rebuild changed the edited claim's page."""
    size = smoke["sizes"]["1000"]
    for key in SITE_KEYS:
        assert size["site"][key] > 0, key
    assert size["site"]["claim_page_max_bytes"] >= size["site"]["claim_page_avg_bytes"]
    inc = size["incremental"]
    assert inc["content_changed"] >= 1 and inc["edit_visible"]
    assert inc["files_after"] > 0


def test_a_front_matter_edit_is_timed_three_times_and_rewrites_the_pages_listing_the_claim(smoke: dict) -> None:
    """The edited claim's new confidence shows on its page, and every page listing it changes too."""
    size = smoke["sizes"]["1000"]
    front, body = size["front_matter_edit"], size["incremental"]
    walls = size["kb"]["build_front_matter_edit"]["wall_s_runs"]
    assert len(walls) == 3 and size["kb"]["build_front_matter_edit"]["wall_s"] == sorted(walls)[1]
    assert front["edit_visible"] and front["edited_claim"] == body["edited_claim"]
    assert front["rewritten"] == front["content_changed"] > body["content_changed"]
    rows = {row["name"]: row for row in smoke["targets"]}
    assert "front-matter edit: only affected pages rewritten" in rows and rows["rebuild after editing one claim's front matter"]["measured"].startswith(f"{size['kb']['build_front_matter_edit']['wall_s']:.2f} s")


def test_targets_are_listed(smoke: dict) -> None:
    """Every target row has a status; the smoke run has no failures."""
    assert len(smoke["targets"]) >= 9
    assert all(row["status"] in {"PASS", "FAIL", "PASS*", "FAIL*", "n/a"} for row in smoke["targets"])
    assert smoke["failures"] == []


def test_cold_build_stages_are_recorded_and_tabled(smoke: dict) -> None:
    """`kb build --timings` feeds a per-stage table; its stages add up to no more than the total."""
    stages = smoke["sizes"]["1000"]["timings"]["build"]
    assert {"loading and checking", "rendering pages", "search index", "total"} <= set(stages)
    assert 0 < sum(v for k, v in stages.items() if k != "total") <= stages["total"] + 0.01
    table = report.stages_table(smoke["sizes"])
    assert "| rendering pages | " in table and "1,000 claims (s)" in table


def test_scaling_exponent_fit() -> None:
    """The least-squares exponent is 1 for linear cost and 2 for quadratic cost."""
    assert math.isclose(report.scaling_exponent([(1000, 1.0), (10000, 10.0), (50000, 50.0)]), 1.0)
    assert math.isclose(report.scaling_exponent([(1000, 1.0), (10000, 100.0)]), 2.0)
    assert report.scaling_exponent([(1000, 1.0)]) is None


def test_parse_timings(tmp_path: Path) -> None:
    """Stage timings are read from ``name: value unit`` lines; diagnostics are ignored."""
    log = tmp_path / "build.log"
    log.write_text("domains/a b.md:12:3: error KB301 [broken-link] x 5 s\nkb: parse: 1.5 s\nrender 250 ms\n",
                   encoding="utf-8")
    assert parse_timings(log) == {"parse": 1.5, "render": 0.25}


def test_readme_markers(tmp_path: Path) -> None:
    """--write-readme replaces only the text between the markers."""
    readme = tmp_path / "README.md"
    readme.write_text(f"head\n{report.START}\nold\n{report.END}\ntail\n", encoding="utf-8")
    report.write_readme(readme, "new\n")
    assert readme.read_text(encoding="utf-8") == f"head\n{report.START}\nnew\n{report.END}\ntail\n"


def test_a_command_past_its_time_limit_is_killed_with_its_children(tmp_path: Path) -> None:
    """The timer kills the command's whole process group (a child of the shell too) and the run
    says TIMED_OUT; a command that ends in time keeps its own exit status."""
    marker = tmp_path / "child.pid"
    script = f"sleep 30 & echo $! > {marker}; wait"
    measured = run_measured(["sh", "-c", script], tmp_path / "slow.log", timeout=0.5)
    assert measured.returncode == TIMED_OUT and measured.wall_s < 10
    child = Path(f"/proc/{int(marker.read_text())}/stat")
    for _ in range(100):  # the killed sleep ends at once (gone, or a zombie until it is reaped)
        if not running(child):
            break
        time.sleep(0.05)
    assert not running(child)
    assert run_measured(["sh", "-c", "exit 3"], tmp_path / "quick.log", timeout=30).returncode == 3


def running(stat: Path) -> bool:
    """Whether the process of a /proc/PID/stat file exists and is not a zombie."""
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


def test_a_failed_measurement_still_removes_the_working_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The working corpus and sites (in memory by default) go even when measuring them fails."""
    args = run_module.parse_args(["--sizes", "30", "--peers", "", "--out", str(tmp_path / "out"), "--work", str(tmp_path / "work")])

    def fail(root: Path, *_: object) -> dict:
        assert (root / "domains").is_dir()  # the working copy was made
        raise RuntimeError("measurement failed")

    monkeypatch.setattr(run_module, "measure_tools", fail)
    with pytest.raises(RuntimeError, match="measurement failed"):
        run_module.measure_size(30, args, [])
    assert not (tmp_path / "work" / "claims-30").exists()
    assert (tmp_path / "out" / "corpora" / "claims-30-seed-1").is_dir()  # the generated corpus is kept for later runs


@pytest.mark.skipif(shutil.which("hugo") is None, reason="Hugo is the benchmark's peer, not a test dependency (apt-get install hugo)")
def test_hugo_writes_the_extra_files_kb_writes_and_no_others(tmp_path: Path) -> None:
    """The Hugo peer does kb's share of site-wide files: a sitemap of every page and one feed of the newest entries."""
    generate_corpus(tmp_path / "corpus", 120)
    prepared = prepare_hugo(tmp_path / "corpus", tmp_path / "work")
    out = tmp_path / "hugo-out"
    subprocess.run(hugo_command(prepared.site, out), check=True, capture_output=True, timeout=120)
    pages = list(out.rglob("index.html"))
    assert len(pages) > 100
    assert len(re.findall("<loc>", (out / "sitemap.xml").read_text(encoding="utf-8"))) >= len(pages)
    assert (out / "index.xml").read_text(encoding="utf-8").count("<item>") == FEED_SIZE
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.xml")) == ["index.xml", "sitemap.xml"]
    assert not (out / "tags").exists() and not (out / "404.html").exists()


def test_peer_builds_alternate_with_kb_cold_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each cold kb build is followed by one build of every peer, so a ratio compares builds made close together."""
    events: list[str] = []

    def prepare_fake(corpus: Path, work: Path) -> Prepared:
        (work / "fake-site").mkdir()
        return Prepared(work / "fake-site", files=len(list(corpus.rglob("*.md"))))

    def fake_command(site: Path, out: Path) -> list[str]:
        return ["sh", "-c", f"mkdir -p '{out}' && echo '<html></html>' > '{out}/index.html'"]

    real_build, real_kb_build = PeerBuilds.build, run_module.kb_build

    def peer_build(self: PeerBuilds) -> None:
        events.append(self.name)
        real_build(self)

    def kb_build(root: Path, site: Path, logs: Path, name: str, *rest: object) -> dict:
        events.append(name)
        return real_kb_build(root, site, logs, name, *rest)

    monkeypatch.setitem(PEERS, "fake", (prepare_fake, fake_command, ["true"]))
    monkeypatch.setattr(PeerBuilds, "build", peer_build)
    monkeypatch.setattr(run_module, "kb_build", kb_build)
    args = run_module.parse_args(["--sizes", "30", "--peers", "fake", "--out", str(tmp_path / "out"), "--work", str(tmp_path / "work")])
    result = run_module.measure_size(30, args, [])
    assert events[:6] == ["build_cold", "fake", "build_cold_1", "fake", "build_cold_2", "fake"]
    assert "fake" not in events[6:] and events[6] == "build_incremental"
    fake = result["peers"]["fake"]
    assert len(fake["wall_s_runs"]) == 3 and fake["ok"] and fake["html_pages"] == 1 and fake["input_files"] > 30
    assert not (tmp_path / "work" / "claims-30").exists()
