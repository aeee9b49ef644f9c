"""The JSON progress files of background jobs (jianyan/core/progress.py): replaced whole, never half-written
beside a poll, and read as "nothing yet" when missing or damaged."""

from jianyan.core.progress import (
    read_json_object,
    read_progress_file,
    write_json_atomically,
    write_progress_file,
)

NOTHING = {"phase": "", "done": 0, "total": 0}


def test_a_progress_file_is_written_whole_and_read_back(tmp_path):
    path = tmp_path / "jobs" / "7.json"
    write_progress_file(path, "写入", 3, 10)
    write_progress_file(path, "写入", 4, 10)
    assert read_progress_file(path) == {"phase": "写入", "done": 4, "total": 10}
    assert [p.name for p in path.parent.iterdir()] == ["7.json"]  # no temporary file left behind


def test_a_missing_or_damaged_file_reads_as_no_progress(tmp_path):
    path = tmp_path / "7.json"
    assert read_progress_file(path) == NOTHING
    path.write_text('{"phase": "写')  # cut off
    assert read_progress_file(path) == NOTHING
    write_json_atomically(path, [1, 2])  # JSON, but not an object
    assert read_progress_file(path) == NOTHING


def test_the_default_is_not_shared_between_readers(tmp_path):
    default = {"n": 0}
    read_json_object(tmp_path / "none.json", default)["n"] = 1
    assert default == {"n": 0}
