package closetest

import (
	"net/http"
	"strings"
)

// routeLocked dispatches one request. c.mu must be held.
func (c *Fake) routeLocked(cl *call) reply {
	segs := strings.Split(strings.Trim(cl.path, "/"), "/")
	m := cl.method
	id := ""
	if len(segs) > 1 {
		id = segs[1]
	}
	switch segs[0] {
	case "contact", "lead", "opportunity":
		kind := segs[0]
		switch {
		case len(segs) == 1 && m == http.MethodGet:
			return c.listLocked(cl, kind)
		case len(segs) == 1 && m == http.MethodPost:
			switch kind {
			case "contact":
				return project(c.createContactLocked(cl), cl.q)
			case "lead":
				return project(c.createLeadLocked(cl), cl.q)
			}
			return project(c.createOppLocked(cl), cl.q)
		case len(segs) == 1:
			return notAllowed(m)
		case len(segs) == 2 && kind == "lead" && id == "merge":
			if m != http.MethodPost {
				return notAllowed(m)
			}
			return c.mergeLocked(cl)
		case len(segs) == 2:
			switch m {
			case http.MethodGet:
				o := c.getLocked(kind, id)
				if o == nil {
					return notFound(kindName(kind))
				}
				return project(ok(o), cl.q)
			case http.MethodPut:
				return project(c.updateLocked(cl, kind, id), cl.q)
			case http.MethodDelete:
				return c.deleteLocked(cl, kind, id)
			}
			return notAllowed(m)
		}
	case "data":
		if len(segs) == 2 && id == "search" {
			if m != http.MethodPost {
				return notAllowed(m)
			}
			return c.searchLocked(cl)
		}
	case "status":
		if len(segs) >= 2 && len(segs) <= 3 && (id == "lead" || id == "opportunity") {
			sid := ""
			if len(segs) == 3 {
				sid = segs[2]
			}
			return c.statusRoutesLocked(cl, id, sid)
		}
	case "pipeline":
		if len(segs) <= 2 {
			return c.pipelineRoutesLocked(cl, id)
		}
	case "custom_field", "custom_field_schema":
		if len(segs) <= 3 {
			return c.customFieldRoutesLocked(cl, segs)
		}
	case "me", "user", "organization":
		if len(segs) <= 2 && (segs[0] != "me" || len(segs) == 1) {
			return c.userRoutesLocked(cl, segs)
		}
	case "activity":
		return c.activityRoutesLocked(cl, segs)
	case "task":
		if len(segs) <= 2 {
			return c.taskRoutesLocked(cl, id)
		}
	case "export":
		if len(segs) <= 2 {
			return c.exportRoutesLocked(cl, segs)
		}
	case "bulk_action":
		if len(segs) <= 3 {
			return c.bulkRoutesLocked(cl, segs)
		}
	case "event":
		switch {
		case m != http.MethodGet:
			return notAllowed(m)
		case len(segs) == 1:
			return c.listEventsLocked(cl)
		case len(segs) == 2:
			return c.getEventLocked(id)
		}
	case "webhook":
		if len(segs) <= 2 {
			return c.webhookRoutesLocked(cl, id)
		}
	}
	return replyStatus(http.StatusNotFound, map[string]any{"error": "Not found."})
}
