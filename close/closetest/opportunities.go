package closetest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// oppFields validates the opportunity fields of in (not lead or status).
func (c *Fake) oppFields(in map[string]any, fe map[string]any) map[string]any {
	out := map[string]any{}
	copyStrings(in, out, fe, "note", "note_html", "user_id")
	if v, has := in["note_html"]; has {
		if v == nil {
			out["note"] = nil
		} else {
			out["note"] = stripTags(str(v))
		}
	}
	if v, has := in["value"]; has {
		if _, isInt := toInt(v); v != nil && !isInt {
			fe["value"] = errNotInteger
		}
		out["value"] = v
	}
	if v, has := in["value_period"]; has {
		switch str(v) {
		case "one_time", "monthly", "annual":
			out["value_period"] = v
		default:
			fe["value_period"] = errNotChoice
		}
	}
	if v, has := in["confidence"]; has {
		n, isInt := toInt(v)
		switch {
		case !isInt:
			fe["confidence"] = errNotInteger
		case n < 0 || n > 100:
			fe["confidence"] = "Ensure this value is between 0 and 100."
		default:
			out["confidence"] = num(n)
		}
	}
	if v, has := in["date_won"]; has {
		if s, isStr := v.(string); v != nil && (!isStr || !validDate(s)) {
			fe["date_won"] = errNotDate
		}
		out["date_won"] = v
	}
	if v, has := in["contact_id"]; has {
		if id, isStr := v.(string); v != nil && (!isStr || c.contacts.get(id) == nil) {
			fe["contact"] = errNoObject
		}
		out["contact_id"] = v
	}
	return out
}

func validDate(s string) bool {
	_, err := time.Parse(dateLayout, s)
	return err == nil
}

// stripTags derives plain text from note_html.
func stripTags(html string) string {
	var b strings.Builder
	in := false
	for _, r := range html {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// setOppStatus moves o to st, filling date_won with today in the request's
// X-Tz-Offset, and date_lost, as Close does.
func setOppStatus(cl *call, o map[string]any, st status) {
	o["status_id"] = st.id
	switch st.typ {
	case "won":
		if o["date_won"] == nil {
			o["date_won"] = time.Now().UTC().Add(cl.tzOffset()).Format(dateLayout)
		}
	case "lost":
		if o["date_lost"] == nil {
			o["date_lost"] = nowString()
		}
	}
}

// oppStatusFor picks the status of a new opportunity from status_id or
// status and pipeline_id.
func (c *Fake) oppStatusFor(in map[string]any, fe map[string]any) status {
	st, found := resolveStatus(in, c.oppSt, fe)
	pipe, hasPipe := in["pipeline_id"]
	if !hasPipe || pipe == nil {
		if !found {
			return c.oppSt[0]
		}
		return st
	}
	if c.pipeline(str(pipe)) == nil {
		fe["pipeline_id"] = errNoObject
		return st
	}
	if found {
		if st.pipeline != str(pipe) {
			fe["status"] = "Status does not belong to the given pipeline."
		}
		return st
	}
	for _, s := range c.oppSt {
		if s.pipeline == str(pipe) {
			return s
		}
	}
	fe["pipeline_id"] = "Pipeline has no statuses."
	return st
}

// createOppLocked answers POST /opportunity/. Without lead_id it uses the
// contact's lead, or makes an "Untitled" lead, as Close does since
// 2025-02-14.
func (c *Fake) createOppLocked(cl *call) reply {
	in := cl.body
	fe := map[string]any{}
	fields := c.oppFields(in, fe)
	leadID, _ := in["lead_id"].(string)
	if v, has := in["lead_id"]; has && v != nil && (leadID == "" || c.leads.get(leadID) == nil) {
		fe["lead"] = errNoObject
	}
	st := c.oppStatusFor(in, fe)
	checkTime(in, "date_created", fe)
	if len(fe) > 0 {
		return fieldErrors(fe)
	}
	if leadID == "" {
		if ct := c.contacts.get(str(fields["contact_id"])); ct != nil {
			leadID = str(ct["lead_id"])
		} else {
			l := c.newLeadLocked(map[string]any{}, map[string]any{}, c.leadSt[0])
			c.leads.put(l)
			c.emitCreatedLocked(cl, "lead", c.renderLeadLocked(l))
			leadID = l["id"].(string)
		}
	}
	now := nowString()
	o := map[string]any{
		"id": newID("oppo_"), "lead_id": leadID, "value": nil, "value_period": "one_time",
		"confidence": num(0), "note": nil, "note_html": nil, "date_won": nil, "date_lost": nil,
		"user_id": UserID, "contact_id": nil, "is_stalled": false,
		"date_created": now, "date_updated": now, "created_by": UserID, "updated_by": UserID,
	}
	for k, v := range fields {
		o[k] = v
	}
	applyCustom(o, in)
	setOppStatus(cl, o, st)
	if importedDate(in, o, fe); len(fe) > 0 {
		return fieldErrors(fe)
	}
	c.opps.put(o)
	r := c.renderOppLocked(o)
	c.emitCreatedLocked(cl, "opportunity", r)
	return ok(r)
}

// renderOppLocked returns a copy of opp with the derived fields Close adds.
func (c *Fake) renderOppLocked(opp map[string]any) map[string]any {
	o := copyMap(opp)
	st := c.oppSt[0]
	for _, s := range c.oppSt {
		if s.id == opp["status_id"] {
			st = s
		}
	}
	o["status_label"], o["status_display_name"], o["status_type"] = st.label, st.label, st.typ
	o["pipeline_id"], o["pipeline_name"] = st.pipeline, nil
	if p := c.pipeline(st.pipeline); p != nil {
		o["pipeline_name"] = p.name
	}
	o["value_currency"] = "USD"
	o["organization_id"] = OrganizationID
	o["user_name"], o["created_by_name"], o["updated_by_name"] = userName, userName, userName
	o["attachments"], o["integration_links"] = []any{}, []any{}
	o["lead_name"], o["contact_name"] = nil, nil
	if l := c.leads.get(str(opp["lead_id"])); l != nil {
		o["lead_name"] = l["display_name"]
	}
	if ct := c.contacts.get(str(opp["contact_id"])); ct != nil {
		o["contact_name"] = ct["display_name"]
	}
	value, hasValue := toInt(opp["value"])
	conf, _ := toInt(opp["confidence"])
	period := str(opp["value_period"])
	if !hasValue {
		o["value_formatted"], o["expected_value"], o["annualized_value"], o["annualized_expected_value"] = nil, nil, nil, nil
		return o
	}
	annual := annualize(value, period)
	o["value_formatted"] = formatValue(value, period)
	o["expected_value"] = num(value * conf / 100)
	o["annualized_value"] = num(annual)
	o["annualized_expected_value"] = num(annual * conf / 100)
	return o
}

func annualize(value int64, period string) int64 {
	if period == "monthly" {
		return value * 12
	}
	return value
}

func formatValue(cents int64, period string) string {
	s := formatMoney(cents)
	switch period {
	case "monthly":
		return s + " monthly"
	case "annual":
		return s + " annually"
	}
	return s
}

// formatMoney formats cents as dollars: 1250000 → "$12,500",
// 119760 → "$1,197.60".
func formatMoney(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	d := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, r := range d {
		if i > 0 && (len(d)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := sign + "$" + b.String()
	if rem := cents % 100; rem != 0 {
		out += fmt.Sprintf(".%02d", rem)
	}
	return out
}

// addAggregates adds the opportunity list aggregates over all matches
// (rendered opportunities) to out.
func addAggregates(out map[string]any, matches []map[string]any) {
	count := map[string]any{}
	total := map[string]int64{}
	expected := map[string]int64{}
	var totalAnnualized, expectedAnnualized int64
	for _, o := range matches {
		p := str(o["value_period"])
		n, _ := toInt(count[p])
		count[p] = num(n + 1)
		v, _ := toInt(o["value"])
		conf, _ := toInt(o["confidence"])
		total[p] += v
		expected[p] += v * conf / 100
		totalAnnualized += annualize(v, p)
		expectedAnnualized += annualize(v, p) * conf / 100
	}
	formatted := func(v int64) any {
		if v == 0 {
			return nil
		}
		return formatMoney(v)
	}
	out["count_by_value_period"] = count
	for _, p := range []string{"one_time", "monthly", "annual"} {
		out["total_value_"+p] = total[p]
		out["total_value_"+p+"_formatted"] = formatted(total[p])
		out["expected_value_"+p] = expected[p]
		out["expected_value_"+p+"_formatted"] = formatted(expected[p])
	}
	out["total_value_annualized"] = totalAnnualized
	out["total_value_annualized_formatted"] = formatted(totalAnnualized)
	out["expected_value_annualized"] = expectedAnnualized
	out["expected_value_annualized_formatted"] = formatted(expectedAnnualized)
}
