package close

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
)

// TaskView is a task list view.
//
// See https://developer.close.com/api/resources/tasks.
type TaskView string

// Task views.
const (
	TaskInbox   TaskView = "inbox"
	TaskFuture  TaskView = "future"
	TaskArchive TaskView = "archive"
)

// Task is a Close task. Type is its kind ("lead", "outgoing_call",
// "email_followup", …). Date is Close's due date as sent, a date
// ("2025-10-01") or a timestamp; Fields Close adds stay in Raw.
//
// See https://developer.close.com/api/resources/tasks.
type Task struct {
	ID           string          `json:"id,omitzero"`
	Type         string          `json:"_type,omitzero"`
	LeadID       string          `json:"lead_id,omitzero"`
	LeadName     string          `json:"lead_name,omitzero"`
	Text         string          `json:"text,omitzero"`
	Date         string          `json:"date,omitzero"`
	IsComplete   bool            `json:"is_complete,omitzero"`
	IsDateless   bool            `json:"is_dateless,omitzero"`
	AssignedTo   string          `json:"assigned_to,omitzero"`
	ObjectType   string          `json:"object_type,omitzero"`
	ObjectID     string          `json:"object_id,omitzero"`
	DateCreated  Time            `json:"date_created,omitzero"`
	DateUpdated  Time            `json:"date_updated,omitzero"`
	CreatedBy    string          `json:"created_by,omitzero"`
	UpdatedBy    string          `json:"updated_by,omitzero"`
	Organization string          `json:"organization_id,omitzero"`
	Raw          json.RawMessage `json:"-"`
}

type taskJSON Task

// UnmarshalJSON decodes a task and keeps it in Raw.
func (t *Task) UnmarshalJSON(b []byte) error { return keepRaw(b, (*taskJSON)(t), &t.Raw) }

// TaskListParams filters Tasks.List. Close lists only "lead" tasks without
// a _type filter; this client sends _type=all unless Type is set, so a
// sync sees every kind. A nil *TaskListParams lists every task.
//
// See https://developer.close.com/api/resources/tasks.
type TaskListParams struct {
	// Type is the task kind (_type); "" means "all".
	Type string
	// View is "inbox", "future" or "archive" (view).
	View TaskView
	// IsComplete filters on completion when set (is_complete).
	IsComplete Optional[bool]
	LeadID     string // lead_id
	AssignedTo string // assigned_to (a user ID)
	// Date and DateUpdated bound date and date_updated (__gt, __gte, __lt,
	// __lte); DateUpdated is the natural sync bookmark.
	Date        TimeRange
	DateUpdated TimeRange
	// OrderBy sorts (_order_by): "date", "date_created", "-" reverses.
	OrderBy string
	// Fields trims each task (_fields).
	Fields []string
	// Skip is where listing starts (_skip); Limit is the page size.
	Skip, Limit int
	// Extra holds other query parameters, sent as they are.
	Extra url.Values
}

func (p *TaskListParams) query() (listQuery, error) {
	if p == nil {
		p = &TaskListParams{}
	}
	l, err := newListQuery(p.Skip, p.Limit, p.Fields, p.Extra)
	if err != nil {
		return l, err
	}
	typ := p.Type
	if typ == "" {
		typ = "all"
	}
	l.q.Set("_type", typ)
	setIf(l.q, "view", string(p.View))
	setIf(l.q, "lead_id", p.LeadID)
	setIf(l.q, "assigned_to", p.AssignedTo)
	setIf(l.q, "_order_by", p.OrderBy)
	if v, ok := p.IsComplete.Get(); ok {
		l.q.Set("is_complete", strconv.FormatBool(v))
	}
	p.Date.addTo(l.q, "date")
	p.DateUpdated.addTo(l.q, "date_updated")
	return l, nil
}

// TaskParams creates a task: LeadID and Text are required. Date is a due
// date ("2025-10-01") or timestamp; empty makes a dateless task.
//
// See https://developer.close.com/api/resources/tasks.
type TaskParams struct {
	Type       string `json:"_type,omitzero"`
	LeadID     string `json:"lead_id"`
	Text       string `json:"text"`
	Date       string `json:"date,omitzero"`
	AssignedTo string `json:"assigned_to,omitzero"`
	IsComplete bool   `json:"is_complete,omitzero"`
}

// TaskUpdate changes a task; only set fields are sent.
//
// See https://developer.close.com/api/resources/tasks.
type TaskUpdate struct {
	Text       Optional[string] `json:"text,omitzero"`
	Date       Optional[string] `json:"date,omitzero"`
	AssignedTo Optional[string] `json:"assigned_to,omitzero"`
	IsComplete Optional[bool]   `json:"is_complete,omitzero"`
}

// TasksService manages tasks. Get it from [Client].Tasks.
//
// See https://developer.close.com/api/resources/tasks.
type TasksService struct{ svc }

// List returns tasks of every kind (or p.Type) lazily (GET /task/).
//
// See https://developer.close.com/api/resources/tasks.
func (s *TasksService) List(ctx context.Context, p *TaskListParams) iter2[Task] {
	l, err := p.query()
	return list[Task](ctx, &s.svc, "tasks", "/task/", l, err)
}

// Get returns task id (GET /task/{id}/).
//
// See https://developer.close.com/api/resources/tasks.
func (s *TasksService) Get(ctx context.Context, id string) (*Task, error) {
	p, err := objectPath("task", "task", id)
	if err != nil {
		return nil, err
	}
	return getObject[Task](ctx, &s.svc, p, nil)
}

// Create creates a task (POST /task/).
//
// See https://developer.close.com/api/resources/tasks.
func (s *TasksService) Create(ctx context.Context, p *TaskParams) (*Task, error) {
	if p == nil || p.Text == "" {
		return nil, invalid("a task needs text")
	}
	if err := checkID("lead", p.LeadID); err != nil {
		return nil, err
	}
	return sendObject[Task](ctx, &s.svc, http.MethodPost, "/task/", p)
}

// Update changes task id (PUT /task/{id}/); Set IsComplete to true to
// complete it.
//
// See https://developer.close.com/api/resources/tasks.
func (s *TasksService) Update(ctx context.Context, id string, u *TaskUpdate) (*Task, error) {
	p, err := objectPath("task", "task", id)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, invalid("nil task update")
	}
	return sendObject[Task](ctx, &s.svc, http.MethodPut, p, u)
}

// Delete deletes task id (DELETE /task/{id}/).
//
// See https://developer.close.com/api/resources/tasks.
func (s *TasksService) Delete(ctx context.Context, id string) error {
	p, err := objectPath("task", "task", id)
	if err != nil {
		return err
	}
	return s.remove(ctx, p)
}

// UpdateMatching changes every task matching p in one call (PUT /task/
// with p's filters as the query), e.g. reassigning a user's open tasks.
// At least one filter besides Type is required, so that no call updates
// every task by accident; Skip, Limit, Fields and OrderBy are not sent.
//
// See https://developer.close.com/api/resources/tasks.
func (s *TasksService) UpdateMatching(ctx context.Context, p *TaskListParams, u *TaskUpdate) error {
	if p == nil || u == nil {
		return invalid("bulk task update needs filters and an update")
	}
	l, err := p.query()
	if err != nil {
		return err
	}
	q := l.q
	for _, k := range []string{"_fields", "_order_by"} {
		q.Del(k)
	}
	filters := 0
	for k := range q {
		if k != "_type" {
			filters++
		}
	}
	if filters == 0 {
		return invalid("bulk task update without a filter would change every task")
	}
	return s.cl().do(ctx, call{method: http.MethodPut, path: "/task/", query: q, body: u}, nil)
}
