"""NGL305 shared-authtoken: the same authtoken in more than one file of one run, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

from conftest import run_cli

# Made-up values shaped like real authtokens (never real credentials).
TOKEN = "2Ab3Cd4Ef5Gh6Ij7Kl8Mn9Op0Qr_1a2B3c4D5e6F7g8H9i0J"
OTHER = "2Zz1Yy2Xx3Ww4Vv5Uu6Tt7Ss8Rr_9q8P7o6N5m4L3k2J1i0H"

V2 = 'version: "2"\nauthtoken: {token}\ntunnels:\n  web:\n    proto: http\n    addr: 8080\n'
V3 = 'version: "3"\nagent:\n  authtoken: "{token}"\nendpoints:\n  - name: web\n    upstream:\n      url: 8080\n'


def _write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def _ngl305(out: str) -> List[str]:
    return [line for line in out.splitlines() if " NGL305 " in line]


def test_second_file_is_reported_naming_the_first(tmp_path: Path) -> None:
    first = _write(tmp_path, "prod/ngrok.yml", V2.format(token=TOKEN))
    second = _write(tmp_path, "staging/ngrok.yml", V3.format(token=TOKEN))
    result = run_cli(["--isolated", "--select", "NGL305", first, second])
    lines = _ngl305(result.out)
    assert len(lines) == 1
    assert lines[0].startswith(f"{second}:3:14: NGL305 [warning] shared-authtoken:")
    assert f"as {first} (line 2)" in lines[0]
    assert "`2Ab3…`" in lines[0]
    assert TOKEN not in result.out + result.err  # secrets are never echoed
    assert result.code == 1  # a warning fails the run under the default --fail-on warning


def test_run_order_decides_which_file_is_first(tmp_path: Path) -> None:
    first = _write(tmp_path, "a/ngrok.yml", V2.format(token=TOKEN))
    second = _write(tmp_path, "b/ngrok.yml", V3.format(token=TOKEN))
    lines = _ngl305(run_cli(["--isolated", "--select", "NGL305", second, first]).out)
    assert len(lines) == 1 and lines[0].startswith(f"{first}:2:12:") and f"as {second} (line 3)" in lines[0]


def test_every_later_file_names_the_first(tmp_path: Path) -> None:
    paths = [_write(tmp_path, f"site{i}/ngrok.yml", V2.format(token=TOKEN)) for i in range(3)]
    lines = _ngl305(run_cli(["--isolated", "--select", "NGL305", *paths]).out)
    assert [line.split(":", 1)[0] for line in lines] == paths[1:]
    assert all(f"as {paths[0]} (line 2)" in line for line in lines)


def test_different_tokens_and_placeholders_are_not_shared(tmp_path: Path) -> None:
    paths = [
        _write(tmp_path, "a/ngrok.yml", V2.format(token=TOKEN)),
        _write(tmp_path, "b/ngrok.yml", V2.format(token=OTHER)),
        _write(tmp_path, "c/ngrok.yml", V2.format(token="${NGROK_AUTHTOKEN}")),
        _write(tmp_path, "d/ngrok.yml", V3.format(token="${NGROK_AUTHTOKEN}")),
        _write(tmp_path, "e/ngrok.yml", V2.format(token="REDACTED_TOKEN_xxxxxxxxxxxxxxxx")),
        _write(tmp_path, "f/ngrok.yml", V2.format(token="REDACTED_TOKEN_xxxxxxxxxxxxxxxx")),
        _write(tmp_path, "g/ngrok.yml", V2.format(token="rd_2Qm7Xy4Vb9Tn3Lk8Hs6Df1Gw5Zp")),
        _write(tmp_path, "h/ngrok.yml", V2.format(token="rd_2Qm7Xy4Vb9Tn3Lk8Hs6Df1Gw5Zp")),
    ]
    result = run_cli(["--isolated", "--select", "NGL305", *paths])
    assert _ngl305(result.out) == []
    assert result.code == 0


def test_a_file_that_does_not_parse_is_compared_from_its_line_scan(tmp_path: Path) -> None:
    good = _write(tmp_path, "a/ngrok.yml", V2.format(token=TOKEN))
    broken = _write(tmp_path, "b/ngrok.yml", f"authtoken: {TOKEN}\ntunnels:\n  web:\n    addr: \"8080\n")
    result = run_cli(["--isolated", "--select", "NGL305,NGL001", good, broken])
    lines = _ngl305(result.out)
    assert len(lines) == 1 and lines[0].startswith(f"{broken}:1:12:")
    assert any(" NGL001 " in line for line in result.out.splitlines())


def test_same_token_twice_in_one_file_is_not_shared(tmp_path: Path) -> None:
    path = _write(tmp_path, "ngrok.yml", f'version: "3"\nauthtoken: {TOKEN}\nagent:\n  authtoken: {TOKEN}\n')
    assert _ngl305(run_cli(["--isolated", "--select", "NGL305", path]).out) == []


def test_json_output_masks_the_token_and_names_the_rule(tmp_path: Path) -> None:
    first = _write(tmp_path, "a/ngrok.yml", V2.format(token=TOKEN))
    second = _write(tmp_path, "b/ngrok.yml", V2.format(token=TOKEN))
    result = run_cli(["--isolated", "--select", "NGL301,NGL305", "--format", "json", first, second])
    assert TOKEN not in result.out
    data = json.loads(result.out)
    text = json.dumps(data)
    assert "shared-authtoken" in text and "committed-authtoken" in text


def test_ignoring_the_rule_in_the_later_file_silences_it(tmp_path: Path) -> None:
    first = _write(tmp_path, "a/ngrok.yml", V2.format(token=TOKEN))
    second = _write(
        tmp_path, "b/ngrok.yml", V2.format(token=TOKEN).replace("\ntunnels", "  # ngrok-lint: ignore[NGL305]\ntunnels", 1)
    )
    result = run_cli(["--isolated", "--select", "NGL305", first, second])
    assert _ngl305(result.out) == []
