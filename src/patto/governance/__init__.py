"""Governance: the Table at work — its bodies and members, meetings with agendas, invitations and
minutes, decisions and follow-ups, the Table's dashboard and the reports to the Council and
Conference (chapter 7 of the pact)."""
