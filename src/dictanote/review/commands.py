"""``dictanote review``: start the local review page and open it in the browser.

Imports only click at load; the server, the store and Jinja2 load when the
command runs.
"""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []


@click.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1 to listen on; 0 takes a free one.",
)
@click.option("--no-browser", is_flag=True, help="Print the address (with its secret) instead of opening it.")
def review(port: int, no_browser: bool) -> None:
    """Review, correct and sign drafts in a local web page.

    The page is served on 127.0.0.1 only, to a browser that opens the printed
    address (it holds a secret made for this launch). Nothing is fetched from
    or sent to the network. Stop it with Ctrl+C.
    """
    import webbrowser

    from ..core.config import load_config
    from .server import make_server

    ctx = click.get_current_context()
    config = load_config(data_dir=ctx.find_root().params.get("data_dir"))
    server, store = make_server(config, port)
    try:
        click.echo(server.url)
        click.echo(
            f"dictanote: review page on 127.0.0.1:{server.port}; data in {config.paths.data_dir}; "
            "Ctrl+C stops it",
            err=True,
        )
        if not no_browser and not webbrowser.open(server.url):
            click.echo("dictanote: could not open a browser; open the address above yourself", err=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            click.echo("dictanote: review page stopped", err=True)
    finally:
        server.server_close()
        store.close()


COMMANDS.append(review)
