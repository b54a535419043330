"""Dashboards each user arranges (issue 13, item 9): ``layout`` checks and places the
widgets of a dashboard, ``services`` writes dashboards, ``selectors`` reads them with
each widget's data, ``widgets`` registers the analytics widgets of the catalogue
(``core.dashboards``), ``exports`` writes a widget's data as CSV or XLSX and ``views``
is the page."""
