"""Manager: requests past the time someone had to act, oldest deadline first."""

import streamlit as st

from streamlit_app import display, session

api = session.client()

st.title("Overdue")
st.write("Open requests past the time someone had to act, by how late they are.")
overdue = api.request_list(overdue=True, ordering="due_by")
display.staff_list(overdue, session.timezone(), empty="Nothing is overdue.")
