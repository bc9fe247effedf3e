"""Charts as inline SVG shared by the dashboards: XmR (statistical process
control) charts in `spc`, horizontal bar charts in `bars`."""
