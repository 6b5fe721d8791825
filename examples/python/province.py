#!/usr/bin/env python3
"""A provincial procedure system in Python, with its standard library only.

It joins the bus without AMQP or JWS of its own:

- as a **provider**, through the HTTP provider door: the gateway calls
  POST <this server>/r1/<service id> with `Authorization: Bearer <door secret>` for each
  application the national portal forwards (dossier.receive) and each judicial record
  result (criminal-record.result, an event);
- as a **client**, through the REST door: POST <ingress>/r1/<service id> in credential mode
  (`Authorization: Bearer <its token>`, `X-Road-Client`), the simulator signing for it.

It runs a few judicial-record dossiers from reception to completion, as `plans/` asks of a
province: synchronised to the portal, reported in processing, the applicant verified with the
population database (asked again after a transient failure; the officer told when it stays
down), the judicial record requested (asked again after a timeout) and its result awaited,
then reported completed.

    python3 examples/python/province.py --system VN/PROV/HAGIANG/MOTCUA --agency 000.00.02.H02 \\
      --ingress http://127.0.0.1:8080 --token <token> --port 9300 --door-secret <secret>

`--break <step>` leaves one step out (`verify`, `completed`), to see `lgsp check` name it.
"""
import argparse
import hashlib
import json
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORTAL = 'VN/GOV/VPCP/DVCQG'
DANCU = 'VN/GOV/BCA/DANCU'
LLTP = 'VN/GOV/BTP/LLTP'
OFFERED = {'1.001234', '1.000656', '2.000889', '1.004227', '1.001612'}
TRANSIENT = {'database.unavailable', 'server.provider_timeout', 'server.provider_unavailable'}
APPLICANT = {'idNumber': '004190000123', 'fullName': 'Nông Thị Hoa', 'dateOfBirth': '1990-05-14'}
OFFICER = 'CB-0042'


def now_iso():
    return datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def yymmdd(iso):
    return iso[2:4] + iso[5:7] + iso[8:10]


class Province:
    def __init__(self, args):
        self.args = args
        self.results = {}            # ticket -> threading.Event, set when its result arrives
        self.lock = threading.Lock()

    # --- the provider side: what the gateway calls ---------------------------------------

    def receive(self, body):
        """dossier.receive: a dossier code for an application the portal forwards."""
        if body.get('procedureCode') not in OFFERED:
            return 422, {'type': 'procedure.not_offered', 'message': 'Thủ tục chưa được cung cấp trực tuyến.'}
        n = int(hashlib.sha256(str(body.get('portalRef')).encode()).hexdigest()[:8], 16) % 9000 + 1000
        return 200, {'dossierCode': f"{self.args.agency}-{yymmdd(str(body.get('submittedAt', now_iso())))}-{n}", 'status': 'received'}

    def result(self, body):
        """criminal-record.result: the judicial record of a ticket asked for earlier."""
        with self.lock:
            self.results.setdefault(str(body.get('ticket')), threading.Event()).set()
        return 202, {}

    def serve(self):
        province = self

        class Door(BaseHTTPRequestHandler):
            def log_message(self, *_):
                pass

            def do_POST(self):
                if self.headers.get('Authorization') != f'Bearer {province.args.door_secret}':
                    return self.answer(401, {'message': 'not the gateway'})
                length = int(self.headers.get('Content-Length') or 0)
                body = json.loads(self.rfile.read(length) or b'{}')
                service = self.path.removeprefix('/r1/')
                if service == f'{province.args.system}/dossier.receive/v1':
                    return self.answer(*province.receive(body))
                if service == f'{province.args.system}/criminal-record.result/v1':
                    return self.answer(*province.result(body))
                return self.answer(404, {'message': f'no service {service}'})

            def answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        server = ThreadingHTTPServer(('127.0.0.1', self.args.port), Door)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    # --- the client side: what it calls through the REST door ------------------------------

    def call(self, service, body, issue):
        """One request or event in credential mode: (status, JSON answer)."""
        request = urllib.request.Request(f'{self.args.ingress}/r1/{service}', data=json.dumps(body).encode(), method='POST', headers={
            'Content-Type': 'application/json', 'Authorization': f'Bearer {self.args.token}', 'X-Road-Client': self.args.system,
            'X-Road-Issue': issue, 'X-Road-UserId': OFFICER,
        })
        try:
            with urllib.request.urlopen(request, timeout=60) as res:
                return res.status, json.loads(res.read() or b'{}')
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b'{}')
        except (urllib.error.URLError, ConnectionError) as err:   # the simulator gone (its check ended): say so, go on
            print(f'{service}: {err}', file=sys.stderr, flush=True)
            return 0, {}

    def ask(self, service, body, issue):
        """A request asked again after a transient failure: three tries, half a second apart."""
        for attempt in range(3):
            status, answer = self.call(service, body, issue)
            kind = answer.get('type') if status >= 400 else None
            if kind not in TRANSIENT or attempt == 2:
                return status, answer
            time.sleep(0.5)

    def progress(self, code, status, note=None):
        self.call(f'{PORTAL}/dossier.progress/v1', {'dossierCode': code, 'status': status, 'at': now_iso(), **({'note': note} if note else {})}, code)

    def dossier(self, n):
        code = f"{self.args.agency}-{yymmdd(now_iso())}-{n:04d}"
        self.call(f'{PORTAL}/dossier.sync/v1', {'dossierCode': code, 'procedureCode': '1.001234', 'receivedAt': now_iso(), 'channel': 'online', 'digitised': True}, code)
        self.progress(code, 'processing')
        if self.args.broken != 'verify':
            status, answer = self.ask(f'{DANCU}/citizen.verify/v1', APPLICANT, code)
            if status >= 400 and answer.get('type') in TRANSIENT:
                self.progress(code, 'supplement_required', f"Chưa xác thực được công dân ({answer.get('type')}); cán bộ xác minh lại.")
        status, answer = self.ask(f'{LLTP}/criminal-record.request/v1', {'idNumber': APPLICANT['idNumber'], 'fullName': APPLICANT['fullName'], 'purpose': f'Hồ sơ {code}'}, code)
        if status == 200:
            with self.lock:
                arrived = self.results.setdefault(str(answer.get('ticket')), threading.Event())
            arrived.wait(timeout=20)
        if self.args.broken != 'completed':
            self.progress(code, 'completed')
        print(f'dossier {code} done', flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--system', required=True)
    parser.add_argument('--agency', required=True)
    parser.add_argument('--ingress', required=True)
    parser.add_argument('--token', required=True)
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--door-secret', required=True)
    parser.add_argument('--dossiers', type=int, default=4)
    parser.add_argument('--break', dest='broken', choices=['verify', 'completed'])
    args = parser.parse_args()
    province = Province(args)
    province.serve()
    print(f'serving {args.system} on port {args.port}', flush=True)
    for n in range(1, args.dossiers + 1):
        province.dossier(n)
    # Stay up for the checks still to come (the connection test ends the run).
    threading.Event().wait()


if __name__ == '__main__':
    sys.exit(main())
