"""The review desk in a browser (``factcheck serve``): HTTP and its safety checks
(``server``), the pages (``pages``), the timeline picture (``timeline``) and the escaping
they share (``markup``). ``style.css`` is the one static file."""
