@echo off
rem colead app for Windows: double-click this file to start colead's web page.
rem The first start makes a Python environment (.venv) in the colead folder and installs
rem colead into it: a few minutes, and the only time it needs the internet. Needs Python 3.11
rem or newer (https://www.python.org/downloads/). Close the window, or press Ctrl+C, to stop.
cd /d "%~dp0.."
".venv\Scripts\python.exe" -c "import colead.app, starlette, uvicorn" >nul 2>&1
if not errorlevel 1 goto run
echo First start: installing colead (a few minutes)...
py -3 -m venv .venv >nul 2>&1
if errorlevel 1 python -m venv .venv
if errorlevel 1 goto nopython
".venv\Scripts\python.exe" -m pip install --quiet ".[app]"
if errorlevel 1 goto failed
:run
".venv\Scripts\colead.exe" app %*
pause
exit /b 0
:nopython
echo Python 3.11 or newer is needed: install it from https://www.python.org/downloads/
echo (tick "Add python.exe to PATH"), then double-click this file again.
pause
exit /b 1
:failed
echo colead could not be installed; see the messages above.
pause
exit /b 1
