"""Glint's notifications as a Ceilometer-style consumer gets them: oslo.messaging's own notification listener.

    /usr/bin/python3 oslo_listener.py TRANSPORT_URL EXCHANGE TOPIC COUNT SECONDS

Prints `ready` once listening, then one JSON line per notification (priority, publisher_id, event_type, payload,
metadata, ctxt) until COUNT arrived or SECONDS passed. Run by glint.notify.OsloListenerTest with Debian's
python3-oslo.messaging.
"""
import json
import sys
import threading

from oslo_config import cfg
import oslo_messaging

url, exchange, topic, count, seconds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
done = threading.Event()
got = []
lock = threading.Lock()


class Endpoint:
    def _any(self, priority, ctxt, publisher_id, event_type, payload, metadata):
        with lock:
            print(json.dumps({'priority': priority, 'ctxt': ctxt, 'publisher_id': publisher_id,
                              'event_type': event_type, 'payload': payload, 'metadata': metadata}), flush=True)
            got.append(event_type)
            if len(got) >= count:
                done.set()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self._any('info', ctxt, publisher_id, event_type, payload, metadata)

    def warn(self, ctxt, publisher_id, event_type, payload, metadata):
        self._any('warn', ctxt, publisher_id, event_type, payload, metadata)

    def error(self, ctxt, publisher_id, event_type, payload, metadata):
        self._any('error', ctxt, publisher_id, event_type, payload, metadata)


conf = cfg.ConfigOpts()
conf([], project='glint-oslo-listener')
transport = oslo_messaging.get_notification_transport(conf, url=url)
listener = oslo_messaging.get_notification_listener(
    transport, [oslo_messaging.Target(exchange=exchange, topic=topic)], [Endpoint()], executor='threading')
listener.start()
print('ready', flush=True)
done.wait(seconds)
listener.stop()
listener.wait()
transport.cleanup()
