#!/usr/bin/env python3
"""Issue 15's comparison: SpiffWorkflow (Python BPMN) running the same three-step case as
`crates/quanze-service/benches/cases.rs` (apply, accept, decide: three user tasks), persisted
after every task: the workflow serialized with Spiff's own serializer and written to a SQLite
file in WAL mode with synchronous=FULL, one transaction per task (what a Spiff-based service
would do to survive a restart). One process (the GIL makes threads no faster). Prints
tasks per second.

    pip install SpiffWorkflow   # 3.x
    python3 bench/spiff_case.py [SECONDS]
"""
import os
import sqlite3
import sys
import tempfile
import time

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.util.task import TaskState

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="quanze">
  <bpmn:process id="licence_case" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="apply"/>
    <bpmn:userTask id="apply" name="申请"/>
    <bpmn:sequenceFlow id="f1" sourceRef="apply" targetRef="accept"/>
    <bpmn:userTask id="accept" name="受理"/>
    <bpmn:sequenceFlow id="f2" sourceRef="accept" targetRef="decide"/>
    <bpmn:userTask id="decide" name="决定"/>
    <bpmn:sequenceFlow id="f3" sourceRef="decide" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    parser = BpmnParser()
    parser.add_bpmn_str(BPMN.encode())
    spec = parser.get_spec("licence_case")
    serializer = BpmnWorkflowSerializer()
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(os.path.join(tmp, "spiff.db"), isolation_level=None)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.execute("CREATE TABLE cases (id INTEGER PRIMARY KEY, state TEXT NOT NULL)")
        tasks = 0
        cases = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            wf = BpmnWorkflow(spec)
            wf.do_engine_steps()
            case_id = None
            for _ in range(3):
                ready = wf.get_tasks(state=TaskState.READY, manual=True)
                task = ready[0]
                task.data["by"] = task.task_spec.name
                task.run()
                wf.do_engine_steps()
                doc = serializer.serialize_json(wf)
                db.execute("BEGIN")
                if case_id is None:
                    case_id = db.execute("INSERT INTO cases (state) VALUES (?)", (doc,)).lastrowid
                else:
                    db.execute("UPDATE cases SET state = ? WHERE id = ?", (doc, case_id))
                db.execute("COMMIT")
                tasks += 1
            assert wf.is_completed(), "the case ran to its end"
            cases += 1
        elapsed = time.perf_counter() - start
        print(f"spiffworkflow: {cases} three-task cases, {tasks} tasks in {elapsed:.2f} s = "
              f"{tasks / elapsed:.0f} tasks/s ({cases / elapsed:.0f} cases/s)")


if __name__ == "__main__":
    main()
