# Rewrites a generated Synapse homeserver.yaml for tests: one loopback client listener on PORT, shared-secret
# registration, no federation/presence/metrics, every rate limit out of the way, the log in the data folder.
# Usage (inside the chroot): python3 configure.py DATA_DIR PORT SECRET
import sys, yaml

data, port, secret = sys.argv[1], int(sys.argv[2]), sys.argv[3]
path = f"{data}/homeserver.yaml"
with open(path) as f:
    config = yaml.safe_load(f)
unlimited = {"per_second": 10000, "burst_count": 10000}
config.update({
    "listeners": [{"port": port, "bind_addresses": ["127.0.0.1"], "type": "http", "tls": False,
                   "x_forwarded": False, "resources": [{"names": ["client"], "compress": False}]}],
    "registration_shared_secret": secret,
    "enable_registration": False,
    "trusted_key_servers": [],
    "suppress_key_server_warning": True,
    "federation_domain_whitelist": [],
    "presence": {"enabled": False},
    "enable_metrics": False,
    "url_preview_enabled": False,
    "report_stats": False,
    "rc_message": unlimited,
    "rc_registration": unlimited,
    "rc_login": {"address": unlimited, "account": unlimited, "failed_attempts": unlimited},
    "rc_joins": {"local": unlimited, "remote": unlimited},
    "rc_joins_per_room": unlimited,
    "rc_invites": {"per_room": unlimited, "per_user": unlimited, "per_issuer": unlimited},
    "rc_room_creation": unlimited,
    "rc_media_create": unlimited,
    "rc_key_requests": unlimited,
    "rc_3pid_validation": unlimited,
    "rc_admin_redaction": unlimited,
    "rc_delayed_event_mgmt": unlimited,
    "rc_reports": unlimited,
    "rc_presence": {"per_user": unlimited},
})
with open(path, "w") as f:
    yaml.safe_dump(config, f)
log_path = config["log_config"]
with open(log_path) as f:
    log = yaml.safe_load(f)
for handler in log.get("handlers", {}).values():
    if "filename" in handler:
        handler["filename"] = f"{data}/homeserver.log"
log.setdefault("root", {})["level"] = "WARNING"
with open(log_path, "w") as f:
    yaml.safe_dump(log, f)
