"""``dictanote formats``, ``config show`` and ``devices``: what this installation can use (models: models.py).

Read-only listings on stdout (a hint on stderr at most). PortAudio is never
loaded here except by ``devices``, which asks it.
"""

from __future__ import annotations

import click

from ..core.config import setting_help
from ..core.formats import scan_formats
from .common import echo, get_config, json_option, print_json, tell, warn


@click.command("formats")
@json_option("Print the formats as JSON.")
def formats(as_json: bool) -> None:
    """List the note formats and their fields (a broken format file is named on stderr and skipped)."""
    scan = scan_formats(get_config().paths)
    for problem in scan.problems:
        warn(problem)
    found = scan.formats
    if as_json:
        print_json(
            [
                {
                    "id": f.id,
                    "label": f.label,
                    "description": f.description,
                    "source": f.source,
                    "fields": [{"id": s.id, "label": s.label, "cues": list(s.cues)} for s in f.fields],
                }
                for f in found
            ]
        )
        return
    for f in found:
        echo(f"{f.id:<14} {f.label}: {', '.join(s.label for s in f.fields)}")


@click.group("config")
def config_group() -> None:
    """Inspect settings."""


@config_group.command("show")
@json_option("Print settings as JSON.")
def config_show(as_json: bool) -> None:
    """Show every setting, its value and where the value came from."""
    config = get_config()
    helps = setting_help()
    rows = [
        {
            "key": k,
            "value": getattr(config.settings, k),
            "source": config.sources[k],
            "help": helps[k],
        }
        for k in helps
    ]
    if as_json:
        print_json({"settings": rows, "paths": {k: str(v) for k, v in vars(config.paths).items()}})
        return
    for row in rows:
        echo(f"{row['key']} = {row['value']!r}\t({row['source']})")
    echo(f"config file: {config.paths.config_file}", err=True)


@click.command("devices")
@json_option("Print the input devices as JSON.")
def devices(as_json: bool) -> None:
    """List the audio input devices dictanote can record from (for --device)."""
    from ..capture import list_input_devices

    found = list_input_devices()
    if as_json:
        print_json([d.to_dict() for d in found])
        return
    if not found:
        tell("no audio input device found")
        return
    for d in found:
        mark = "*" if d.is_default else " "
        echo(f"{mark} {d.index:>3}  {d.name}  ({d.hostapi}, {d.channels} ch, {d.default_samplerate:.0f} Hz)")
