#!/usr/bin/env python3
"""Writes workflows/negative-review-rectification.json and workflows/product-problem.json (Elsa 3.8 definitions).

The JSON files are what ships and what process owners edit in the Studio; this script only keeps the hand-written
parts consistent (wrapped inputs, node ids, designer positions, connections by outcome). Run it after changing it:
    python3 workflows/tools/build_processes.py
"""
import json
import pathlib

OUT = pathlib.Path(__file__).resolve().parent.parent
DRIVER = "Elsa.Workflows.WorkflowInstanceStorageDriver, Elsa.Workflows.Core"

# Working days are counted by the runtime on the department's calendar (workflows/calendars): a due time given with
# working=True has dueInWorkingTime set, and the SLA deadlines count working time unless told otherwise.


def wrap(syntax, value, type_name="String"):
    return {"typeName": type_name, "expression": {"type": syntax, "value": value}}


def lit(value, type_name="String"):
    return wrap("Literal", value, type_name)


def js(script, type_name="String"):
    return wrap("JavaScript", script, type_name)


def field(name, label, type_="text", required=False, choices=None):
    f = {"name": name, "label": label, "type": type_, "required": required}
    if choices:
        f["choices"] = choices
    return f


class Flow:
    def __init__(self):
        self.activities, self.connections = [], []

    def add(self, id_, name, type_, col, row, **inputs):
        self.activities.append({
            "id": id_, "nodeId": f"Workflow1:flow:{id_}", "name": name, "type": type_, "version": 1,
            "customProperties": {"canStartWorkflow": False, "runAsynchronously": False},
            "metadata": {"designer": {"position": {"x": col * 260, "y": row * 200}}},
            **inputs,
        })

    def task(self, id_, name, col, row, title, actions, fields, instructions=None, assignee=None, role=None,
             department=None, due="2.00:00:00", working=False):
        inputs = {"title": lit(title)}
        if instructions:
            inputs["instructions"] = js(instructions) if instructions.startswith("'") else lit(instructions)
        if assignee:
            inputs["assignee"] = js(assignee)
        if role:
            inputs["role"] = lit(role)
        if department:
            inputs["department"] = js(department) if department.startswith("getOutputFrom") else lit(department)
        inputs["dueIn"] = lit(due, "TimeSpan")
        if working:
            inputs["dueInWorkingTime"] = lit(True, "Boolean")
        inputs["fields"] = fields
        inputs["actions"] = wrap("Object", json.dumps(actions), "Object")
        self.add(id_, name, "Feedback.StaffTask", col, row, **inputs)

    def connect(self, source, port, *targets):
        for target in targets:
            self.connections.append({"source": {"activity": source, "port": port},
                                     "target": {"activity": target, "port": "In"}, "vertices": []})


def sla_boundary(f):
    """The case's resolution clock beside the whole process: warnings at 50% and 80%, then one level up every 4 working hours."""
    f.add("slaResolution", "ResolutionDeadline", "Feedback.SlaDeadline", 1, 2, clock=lit("Resolution"), warnAt=lit("50, 80"),
          escalateUpTo=lit(3, "Int32"), escalationInterval=lit("04:00:00", "TimeSpan"))
    f.connect("start", "Done", "slaResolution")


def intake(f, assign_inputs, manual=True):
    """Acknowledge, classify within 24 h (by hand when unsure, if the category routes the case), assign."""
    f.add("start", "Start", "Elsa.Start", 0, 0)
    sla_boundary(f)
    f.add("ack", "Acknowledge", "Feedback.NotifyCustomer", 1, 0, message=lit("Acknowledgement"))
    f.add("classify", "Classify", "Feedback.ClassifyFeedback", 2, 0, text=js("getInput('content')"),
          title=js("getInput('title')"), threshold=lit(0.5, "Double"))
    f.add("assign", "Assign", "Feedback.AssignResponsibility", 3, 0, **assign_inputs)
    f.connect("start", "Done", "ack")
    f.connect("ack", "Sent", "classify")
    f.connect("ack", "NoContact", "classify")
    f.connect("classify", "Classified", "assign")
    f.connect("classify", "FoodSafety", "assign")
    if not manual:
        f.connect("classify", "Uncertain", "assign")
        return
    f.task("manual", "ClassifyManually", 2, 1, "Classify this feedback", ["Classify"],
           [field("ManualCategory", "Category", "choice", True,
                  ["ProductQuality", "ServiceAttitude", "DeliveryLogistics", "AfterSales", "Suggestion", "Other"])],
           "The rules could not classify this feedback with confidence. Choose its category within 24 hours.",
           role="ComplaintDesk", department="complaint-desk", due="1.00:00:00")
    f.connect("classify", "Uncertain", "manual")
    f.connect("manual", "Classify", "assign")


def satisfaction(f, col, callback_instructions, rework_target, **caller):
    """Call the customer back, verify, and either close, rework, or escalate up the chain until someone resolves it."""
    # Anonymous feedback leaves nobody to ask; the written reply then finds no contact either.
    f.add("canCall", "CanCallBack", "Elsa.FlowDecision", col, 0, condition=js("getInput('anonymous') !== true", "Boolean"))
    col += 1
    f.task("callback", "Callback", col, 0, "Call the customer back: the result and their satisfaction", ["Record"],
           [field("Rating", "Satisfaction (1 very unsatisfied - 5 very satisfied)", "choice", True, ["1", "2", "3", "4", "5"]),
            field("CustomerComment", "What the customer said")],
           callback_instructions, due="1.00:00:00", **caller)
    f.add("verify", "Verify", "Feedback.VerifyRectification", col + 1, 0, rating=js("getVariable('Rating')", "Int32"),
          comment=js("getVariable('CustomerComment')"), maxReworks=lit(1, "Int32"))
    f.add("escalate1", "EscalateUnsatisfied", "Feedback.Escalate", col + 1, 1,
          reason=js("'The customer is still not satisfied after the rework' + (getVariable('CustomerComment') ? ': ' + getVariable('CustomerComment') : '.')"),
          by=js("getOutputFrom('Callback', 'CompletedBy')"))
    decide = [field("Resolution", "Resolution for the customer (or why you pass it on)", "text", True)]
    said = "'The customer is still not satisfied after the rework' + (getVariable('CustomerComment') ? ' and said: ' + getVariable('CustomerComment') : '') + '. "
    f.task("headDecide", "HeadDecide", col + 2, 1, "Unsatisfied customer: resolve or escalate (department head)", ["Resolve", "Escalate"],
           decide, said + "Decide what the company offers and record it, or pass the case to the complaint desk manager.'",
           role="DepartmentHead", department="getOutputFrom('Assign', 'Department')")
    f.add("escalate2", "EscalateFromHead", "Feedback.Escalate", col + 2, 2,
          reason=js("'The department head passed it on: ' + getVariable('Resolution')"), by=js("getOutputFrom('HeadDecide', 'CompletedBy')"))
    f.task("cdmDecide", "ManagerDecide", col + 3, 2, "Unsatisfied customer: resolve or escalate (complaint desk manager)", ["Resolve", "Escalate"],
           decide, said + "Decide what the company offers and record it, or pass the case to management.'",
           role="ComplaintDeskManager", department="complaint-desk")
    f.add("escalate3", "EscalateFromManager", "Feedback.Escalate", col + 3, 3,
          reason=js("'The complaint desk manager passed it on: ' + getVariable('Resolution')"), by=js("getOutputFrom('ManagerDecide', 'CompletedBy')"))
    f.task("mgmtDecide", "ManagementDecide", col + 4, 3, "Unsatisfied customer: final resolution (management)", ["Resolve"],
           decide, said + "Decide the final resolution; it goes to the customer in writing.'",
           role="Management", department="management")
    # A join that continues on the first path to arrive: the loop before it has several exits, and an implicit join
    # would also wait for the exits a rework pass left undecided.
    f.add("resolved", "Resolved", "Elsa.FlowJoin", col + 5, 0, mode=lit("WaitAny"))
    f.connect("canCall", "True", "callback")
    f.connect("canCall", "False", "resolved")
    f.connect("callback", "Record", "verify")
    f.connect("verify", "Verified", "resolved")
    f.connect("verify", "Rework", rework_target)
    f.connect("verify", "Unsatisfied", "escalate1")
    f.connect("escalate1", "DepartmentHead", "headDecide")
    f.connect("escalate1", "ComplaintDeskManager", "cdmDecide")
    f.connect("escalate1", "Management", "mgmtDecide")
    f.connect("escalate1", "AlreadyAtTop", "mgmtDecide")
    f.connect("headDecide", "Resolve", "resolved")
    f.connect("headDecide", "Escalate", "escalate2")
    f.connect("escalate2", "ComplaintDeskManager", "cdmDecide")
    f.connect("escalate2", "Management", "mgmtDecide")
    f.connect("escalate2", "AlreadyAtTop", "mgmtDecide")
    f.connect("cdmDecide", "Resolve", "resolved")
    f.connect("cdmDecide", "Escalate", "escalate3")
    f.connect("escalate3", "Management", "mgmtDecide")
    f.connect("escalate3", "AlreadyAtTop", "mgmtDecide")
    f.connect("mgmtDecide", "Resolve", "resolved")


def reply(f, col, text):
    f.add("reply", "Reply", "Feedback.NotifyCustomer", col, 0, message=lit("Result"), text=js(text))
    f.add("end", "End", "Elsa.End", col + 1, 0)
    f.connect("resolved", "Done", "reply")
    f.connect("reply", "Sent", "end")
    f.connect("reply", "NoContact", "end")


def negative_review():
    f = Flow()
    intake(f, {"category": js("getVariable('ManualCategory') ?? ''")})
    f.task("unassigned", "NoAssignee", 3, 1, "Nobody is eligible: handle this negative review", ["Done"],
           [field("Report", "What was done", "text", True)],
           "The routing table found no eligible member (all absent, or the only member is the person complained about). Handle the case and write what was done; it goes to the customer.",
           role="ComplaintDeskManager", department="complaint-desk")
    f.task("plan", "Plan", 4, 0, "Submit a rectification plan", ["Submit"],
           [field("Measures", "Measures", "text", True), field("Deadline", "Deadline", "date", True),
            field("Goal", "Expected result", "text", True)],
           "'Set out the measures, the deadline and the expected result. You are responsible for this case.' + (getVariable('CustomerComment') ? ' The customer was not satisfied with the last rectification: ' + getVariable('CustomerComment') : '')",
           assignee="getOutputFrom('Assign', 'Assignee')", working=True)
    f.add("planMet", "PlanSubmitted", "Feedback.SlaClock", 4, 1, action=lit("Stop"), clock=lit("Plan"))
    f.task("rectify", "Rectify", 5, 0, "Carry out the plan and report", ["Done"],
           [field("Report", "What was done", "text", True)],
           "'Carry out: ' + (getVariable('Measures') ?? '') + '. Deadline: ' + (getVariable('Deadline') ?? '') + '. Expected result: ' + (getVariable('Goal') ?? '') + '.' + (getVariable('HeadComments') ? ' Latest from the department head: ' + getVariable('HeadComments') + '.' : '') + (getVariable('DeskComments') ? ' Latest from the complaint desk: ' + getVariable('DeskComments') + '.' : '')",
           assignee="getOutputFrom('Assign', 'Assignee')", due="7.00:00:00", working=True)
    f.task("headReview", "HeadReview", 6, 0, "Review the rectification (department head)", ["Approve", "Reject"],
           [field("HeadComments", "Comments; the reasons when rejecting")],
           "'Plan: ' + getVariable('Measures') + '. Report: ' + getVariable('Report') + '. A rejection goes back to the responsible person with your reasons.'",
           role="DepartmentHead", department="getOutputFrom('Assign', 'Department')")
    f.task("deskReview", "DeskReview", 7, 0, "Review the rectification (complaint desk)", ["Approve", "Reject"],
           [field("DeskComments", "Comments; the reasons when rejecting")],
           "'Report: ' + getVariable('Report') + '. Call the customer if something is unclear. A rejection goes back to the responsible person with your reasons.'",
           role="ComplaintDesk", department="complaint-desk")
    satisfaction(f, 8, "'Tell the customer what was done: ' + getVariable('Report') + ' Ask how satisfied they are (1 very unsatisfied to 5 very satisfied) and note what they say.'", "plan",
                 role="ComplaintDesk", department="complaint-desk")
    reply(f, 15, "'What we did: ' + (getVariable('Report') ?? '') + (getVariable('Measures') ? '\\nWhat we are improving: ' + getVariable('Measures') : '') + (getVariable('Resolution') ? '\\n' + getVariable('Resolution') : '')")
    f.connect("assign", "Assigned", "plan")
    f.connect("assign", "NoEligibleAssignee", "unassigned")
    f.connect("unassigned", "Done", "resolved")
    f.connect("plan", "Submit", "planMet")
    f.connect("planMet", "Done", "rectify")
    f.connect("rectify", "Done", "headReview")
    f.connect("headReview", "Approve", "deskReview")
    f.connect("headReview", "Reject", "rectify")
    f.connect("deskReview", "Approve", "canCall")
    f.connect("deskReview", "Reject", "rectify")
    return definition(
        "negative-review-rectification", "Negative review rectification",
        "A negative review or complaint: acknowledge, classify within 24 h, assign to the lead department's eligible member (never the person complained about), plan (measures, deadline, expected result), rectify and report, review by the department head and the complaint desk (a rejection goes back with the reasons), call the customer back; an unsatisfied customer gets one more rectification, then the case escalates (department head, complaint desk manager, management) until someone resolves it; the customer gets a written reply with the result and the improvements.",
        ["ManualCategory", "Measures", "Deadline", "Goal", "Report", "HeadComments", "DeskComments", "Rating", "CustomerComment", "Resolution"],
        f)


def product_problem():
    f = Flow()
    # Customer service owns product problems; the after-sales route leads them there.
    intake(f, {"category": lit("AfterSales")}, manual=False)
    problem = [field("Problem", "The problem for development: product, batch, what fails, how to reproduce", "text", True)]
    f.task("unassigned", "NoAssignee", 3, 1, "Nobody in customer service is eligible: record the product problem", ["SendToDevelopment"],
           problem, "Nobody in customer service can take this case (all absent, or the person complained about). Record the problem for development yourself.",
           role="ComplaintDeskManager", department="complaint-desk", due="1.00:00:00")
    f.task("csRecord", "RecordProblem", 4, 0, "Record the product problem for development", ["SendToDevelopment"], problem,
           "Describe the problem so that development can reproduce it: product, batch or serial, what fails, how often, links to photos.",
           assignee="getOutputFrom('Assign', 'Assignee')", due="1.00:00:00")
    f.add("devRound", "ToDevelopment", "Elsa.FlowFork", 5, 0, branches=wrap("Object", json.dumps(["Task", "Timer"]), "Object"))
    answer = [field("DevAnswer", "Cause, fix, and what testing should verify", "text", True)]
    brief = "'Problem: ' + (getVariable('Problem') ?? getInput('content')) + (getVariable('TestReport') ? ' Latest from testing: ' + getVariable('TestReport') + '.' : '') + (getVariable('CustomerComment') ? ' Latest from the customer: ' + getVariable('CustomerComment') + '.' : '')"
    f.task("devTask", "Develop", 6, 0, "Answer the product problem (development)", ["Answer"], answer,
           brief + " + ' Answer within 2 working days.'", role="Staff", department="rnd", due="2.00:00:00", working=True)
    # The development deadline races the task on the development calendar; on breach it escalates to the head of rnd.
    f.add("devTimer", "DevelopmentDeadline", "Feedback.SlaDeadline", 6, 1, clock=lit("Development"),
          within=lit("2.00:00:00", "TimeSpan"), department=lit("rnd"), warnAt=lit("50, 80"), escalateUpTo=lit(1, "Int32"),
          reason=lit("Development has not answered the product problem within 2 working days."))
    f.task("devOverdue", "DevelopOverdue", 8, 1, "Overdue: answer the product problem (development head)", ["Answer"], answer,
           brief + " + ' Development has not answered within 2 working days: answer, or have the open development task answered.'",
           role="DepartmentHead", department="rnd", due="1.00:00:00")
    f.add("devJoin", "Answered", "Elsa.FlowJoin", 9, 0, mode=lit("WaitAny"))
    f.task("testTask", "Test", 10, 0, "Verify the fix (testing)", ["Verified", "Failed"],
           [field("TestReport", "What was tested and the result", "text", True)],
           "'Development answered: ' + getVariable('DevAnswer') + ' Verify the fix within 1 working day; Failed sends it back to development with your report.'",
           role="Staff", department="testing", due="1.00:00:00", working=True)
    satisfaction(f, 11, "'Tell the customer the cause and the fix: ' + getVariable('DevAnswer') + ' Ask how satisfied they are (1 very unsatisfied to 5 very satisfied) and note what they say.'", "devRound",
                 assignee="getOutputFrom('Assign', 'Assignee')", role="Staff", department="customer-service")
    reply(f, 18, "'Cause and fix: ' + (getVariable('DevAnswer') ?? '') + (getVariable('TestReport') ? '\\nVerified by our testing laboratory: ' + getVariable('TestReport') : '') + (getVariable('Resolution') ? '\\n' + getVariable('Resolution') : '')")
    f.connect("assign", "Assigned", "csRecord")
    f.connect("assign", "NoEligibleAssignee", "unassigned")
    f.connect("csRecord", "SendToDevelopment", "devRound")
    f.connect("unassigned", "SendToDevelopment", "devRound")
    f.connect("devRound", "Task", "devTask")
    f.connect("devRound", "Timer", "devTimer")
    f.connect("devTask", "Answer", "devJoin")
    f.connect("devTimer", "Breached", "devOverdue")
    f.connect("devOverdue", "Answer", "devJoin")
    f.connect("devJoin", "Done", "testTask")
    f.connect("testTask", "Verified", "canCall")
    f.connect("testTask", "Failed", "devRound")
    return definition(
        "product-problem", "Product problem",
        "A product problem that needs engineering: acknowledge, classify, customer service records the problem, development answers within 2 working days (on time-out the case escalates to the development head, who can answer too; the first answer wins), testing verifies within 1 working day (a failed test goes back to development), customer service calls the customer back (one more round if unsatisfied, then escalation up to management) and closes the case with a written reply. Working days follow the department's calendar; the case's resolution clock warns at 50% and 80% and escalates level by level after a breach.",
        ["Problem", "DevAnswer", "TestReport", "Rating", "CustomerComment", "Resolution"],
        f)


def definition(definition_id, name, description, variables, flow):
    return {
        "definitionId": definition_id, "name": name, "description": description, "toolVersion": "3.8.0", "version": 1,
        "variables": [{"id": v.lower(), "name": v, "typeName": "String", "isArray": False, "value": None,
                       "storageDriverTypeName": DRIVER} for v in variables],
        "inputs": [{"type": "String", "name": n, "displayName": d, "isArray": False}
                   for n, d in (("caseNumber", "Case number"), ("content", "Content"), ("title", "Title"))],
        "outputs": [], "outcomes": [], "customProperties": {},
        "options": {"incidentStrategyType": "FaultStrategy", "autoUpdateConsumingWorkflows": False},
        "root": {"id": "flow", "nodeId": "Workflow1:flow", "name": "Flowchart1", "type": "Elsa.Flowchart", "version": 1,
                 "customProperties": {}, "metadata": {}, "variables": [],
                 "activities": flow.activities, "connections": flow.connections},
    }


if __name__ == "__main__":
    for build in (negative_review, product_problem):
        d = build()
        (OUT / f"{d['definitionId']}.json").write_text(json.dumps(d, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
