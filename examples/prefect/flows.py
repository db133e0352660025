"""Prefect 3 flows that Assent hands workflow steps off to (example definition and tests).

Run by `./dev.sh prefect` and `./dev.sh test` against their own Prefect server:
    PREFECT_API_URL=http://127.0.0.1:4200/api python examples/prefect/flows.py
One process serves every deployment here, so a test run needs one Python process, not one
per flow. Assent finds them at /api/deployments/name/<flow>/assent.
"""

import json
import time
import urllib.request

from prefect import flow, get_run_logger, serve
from prefect.states import Completed


def call_back(assent_callback: dict | None, body: dict) -> None:
    """Tell Assent the outcome. A lost notice must not change the run's own outcome:
    Assent asks Prefect for the run's state later (reconciliation), so only warn."""
    if not assent_callback:
        return
    try:
        request = urllib.request.Request(
            assent_callback["url"],
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {assent_callback['token']}",
            },
        )
        # urlopen raises HTTPError for any answer that is not 2xx.
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
    except Exception as error:  # refused, timed out, non-2xx, malformed callback: all alike
        # The token is never logged.
        get_run_logger().warning("callback to Assent failed: %s", error)


@flow(name="create-mailbox")
def create_mailbox(
    user: str,
    display_name: str = "",
    delay_seconds: float = 0,
    assent_callback: dict | None = None,
):
    """Stands in for provisioning work that Assent leaves to another engine."""
    # The delay lets tests catch a run while it is still RUNNING (and cancel it).
    time.sleep(delay_seconds)
    result = {"mailbox": f"{user}@mail.example.com", "quotaGb": 50, "createdBy": "prefect"}
    call_back(assent_callback, {"state": "COMPLETED", "result": result})
    # The result goes into state.message too, so Assent can read it from
    # GET /api/flow_runs/{id} when the callback was lost (no result storage needed).
    return Completed(message=json.dumps(result))


@flow(name="always-fails")
def always_fails(
    user: str,
    display_name: str = "",
    delay_seconds: float = 0,
    assent_callback: dict | None = None,
):
    """Lets tests and the demo walk the hand-off's failure path."""
    time.sleep(delay_seconds)
    message = f"mailbox quota service refused: no quota left for {user}"
    call_back(assent_callback, {"state": "FAILED", "message": message})
    # Raising (not returning a Failed state) is what a real broken flow does: the run
    # ends FAILED, and reconciliation must see that without a callback.
    raise RuntimeError(message)


if __name__ == "__main__":
    serve(
        create_mailbox.to_deployment(name="assent"),
        always_fails.to_deployment(name="assent"),
    )
