"""``dictanote review``: start the local review page and open it in the browser.

Imports only click at load; the server, the store and Jinja2 load when the
command runs. The server binds to loopback; its address carries a per-launch secret.
"""

from __future__ import annotations

import click

from .common import get_dictation, tell


@click.command("review")
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

    from ..review.server import make_server

    dictation = get_dictation()
    server, store = make_server(dictation, port)
    try:
        click.echo(server.url)
        tell(
            f"review page on 127.0.0.1:{server.port}; data in {dictation.config.paths.data_dir}; "
            "Ctrl+C stops it"
        )
        if not no_browser and not webbrowser.open(server.url):
            tell("could not open a browser; open the address above yourself")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            tell("review page stopped")
    finally:
        server.server_close()
        store.close()
