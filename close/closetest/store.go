package closetest

import "slices"

// store keeps objects of one kind by ID, in creation order, indexed by
// their lead_id (for objects that belong to a lead).
type store struct {
	byID   map[string]map[string]any
	order  []string
	byLead map[string][]string
}

// put adds o, or replaces the object with its ID.
func (s *store) put(o map[string]any) {
	id := o["id"].(string)
	if s.byID == nil {
		s.byID, s.byLead = map[string]map[string]any{}, map[string][]string{}
	}
	if _, ok := s.byID[id]; !ok {
		s.order = append(s.order, id)
		if lead := str(o["lead_id"]); lead != "" {
			s.byLead[lead] = append(s.byLead[lead], id)
		}
	}
	s.byID[id] = o
}

// get returns object id or nil.
func (s *store) get(id string) map[string]any { return s.byID[id] }

// del removes object id.
func (s *store) del(id string) {
	o, ok := s.byID[id]
	if !ok {
		return
	}
	s.unindex(id, str(o["lead_id"]))
	delete(s.byID, id)
	s.order = slices.DeleteFunc(s.order, func(x string) bool { return x == id })
}

// relink moves object id to lead.
func (s *store) relink(id, lead string) {
	o := s.byID[id]
	if o == nil || str(o["lead_id"]) == lead {
		return
	}
	s.unindex(id, str(o["lead_id"]))
	o["lead_id"] = lead
	s.byLead[lead] = append(s.byLead[lead], id)
}

func (s *store) unindex(id, lead string) {
	if lead == "" {
		return
	}
	ids := slices.DeleteFunc(s.byLead[lead], func(x string) bool { return x == id })
	if len(ids) == 0 {
		delete(s.byLead, lead)
	} else {
		s.byLead[lead] = ids
	}
}

// all returns the objects in creation order.
func (s *store) all() []map[string]any {
	out := make([]map[string]any, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.byID[id])
	}
	return out
}

// ofLead returns the objects of lead, in the order they joined it.
func (s *store) ofLead(lead string) []map[string]any {
	ids := s.byLead[lead]
	out := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		out = append(out, s.byID[id])
	}
	return out
}
