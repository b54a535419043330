"""Activities: the contact history (interactions on every channel), tasks,
appointments, reminders and notifications, birthdays and the calendar feed."""
