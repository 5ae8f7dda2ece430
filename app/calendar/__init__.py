"""The front-desk calendar grid: the page, and the feeds FullCalendar reads."""
