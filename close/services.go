package close

// initServices builds the services added next to Contacts, Leads and
// Opportunities.
func (c *Client) initServices() {
	c.Events = &EventsService{c: c}
}
