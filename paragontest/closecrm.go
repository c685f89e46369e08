package paragontest

import (
	"net/http"

	"github.com/paragon-go/paragon/close/closetest"
)

// CloseCRM is the fake Close API a [Server] serves behind its proxy at
// /projects/{id}/sdk/proxy/close/: a [closetest.Fake], which documents what
// it serves. Use package closetest directly for a fake Close of its own.
type CloseCRM = closetest.Fake

// CloseError is a failed seeding call of the fake Close, such as
// [closetest.Fake.CreateLead].
type CloseError = closetest.Error

// NewCloseCRM returns an empty fake Close organization; it is
// [closetest.New].
func NewCloseCRM() *CloseCRM { return closetest.New() }

// Fixed values of the fake Close organization; see package closetest.
const (
	// CloseOrganizationID is the fake Close organization's ID.
	CloseOrganizationID = closetest.OrganizationID
	// CloseUserID is the fake Close user that owns and creates objects.
	CloseUserID = closetest.UserID
	// ClosePipelineID is the fake organization's default opportunity
	// pipeline.
	ClosePipelineID = closetest.PipelineID

	// CloseLeadStatusPotential is the lead status "Potential", which a lead
	// created without a status gets.
	CloseLeadStatusPotential = closetest.LeadStatusPotential
	// CloseLeadStatusQualified is the lead status "Qualified".
	CloseLeadStatusQualified = closetest.LeadStatusQualified
	// CloseLeadStatusCustomer is the lead status "Customer".
	CloseLeadStatusCustomer = closetest.LeadStatusCustomer
	// CloseLeadStatusBadFit is the lead status "Bad Fit".
	CloseLeadStatusBadFit = closetest.LeadStatusBadFit

	// CloseOpportunityStatusActive is the opportunity status "Active" (type
	// active), which an opportunity created without a status gets.
	CloseOpportunityStatusActive = closetest.OpportunityStatusActive
	// CloseOpportunityStatusWon is the opportunity status "Won" (type won).
	CloseOpportunityStatusWon = closetest.OpportunityStatusWon
	// CloseOpportunityStatusLost is the opportunity status "Lost" (type lost).
	CloseOpportunityStatusLost = closetest.OpportunityStatusLost

	// DefaultCloseMaxSkip is the largest _skip the fake Close accepts
	// unless [closetest.Fake.SetMaxSkip] changes it.
	DefaultCloseMaxSkip = closetest.DefaultMaxSkip
)

// closeRoutes serves the fake Close's export downloads, whose URLs point
// at this server outside the proxy (as Close's point outside /api/v1).
func (s *Server) closeRoutes(mux *http.ServeMux) {
	mux.Handle("GET /closetest/exports/", s.crm)
}
