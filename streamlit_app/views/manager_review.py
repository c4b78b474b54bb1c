"""Manager: the requests the AI crew could not decide, waiting for a person."""

import streamlit as st

from streamlit_app import display, session

api = session.client()

st.title("Needs review")
st.write("Domi could not decide these on its own. Open each in the back office to apply or override the proposal.")
waiting = api.request_list(status=["needs_review"], ordering="created_at")
display.staff_list(waiting, session.timezone(), empty="Nothing waits for review.")
